"""本单位 (issue 10, item 6): the unit's open tasks with what is blank or returned, linked to
the report; past periods stay readable (values, review history, published result)."""

from __future__ import annotations

from django.urls import reverse

from duibiao.assessment.models import Period, Submission
from duibiao.assessment.services.runs import run_publish, run_release, run_start
from duibiao.assessment.services.submissions import (
    ValueInput,
    review_return,
    submission_save,
    submission_submit,
)


def test_open_tasks_show_blank_and_returned_counts_with_a_link(client_for, assessed):
    ctx, period = assessed, assessed["period"]
    sub = submission_save(actor=ctx["reporter_a"], period=period, unit=ctx["a"],
                          item=ValueInput(indicator=ctx["ind"]["nl02"], value="90", expected_version=0))
    submission_submit(actor=ctx["reporter_a"], period=period, unit=ctx["a"], confirm=True)
    sub.refresh_from_db()
    review_return(actor=ctx["taskforce"], submission=sub, expected_version=sub.version, reason="与台账不符")
    html = client_for(ctx["head_a"]).get(reverse("assessment:my_unit")).content.decode()
    row = html[html.index(f'data-testid="task-{period.pk}"'):]
    row = row[:row.index("</tr>")]
    total = sum(1 for i in ctx["ind"].values() if i.entered_by_units and i.applies_to(ctx["a"]))
    assert f"{total - 1} / {total} 项" in row  # all but nl02 blank
    assert 'data-testid="returned"' in row and "1 项" in row
    assert reverse("assessment:report_unit", args=[period.pk, "jingyu"]) in row


def test_past_period_stays_readable_with_its_published_result(client_for, approved):
    ctx, period = approved, approved["period"]
    office = ctx["office"]
    run = run_release(actor=office, run=run_start(actor=office, period=period))
    run_publish(actor=office, run=run, stage=run.stage, override_reason="测试：截止前提前公布")
    Period.objects.filter(pk=period.pk).update(status=Period.Status.CLOSED)
    reporter = client_for(ctx["reporter_a"])
    html = reporter.get(reverse("assessment:my_unit")).content.decode()
    assert "目前没有填报中的考核周期" in html
    past = html[html.index(f'data-testid="past-{period.pk}"'):]
    past = past[:past.index("</tr>")]
    report_url = reverse("assessment:report_unit", args=[period.pk, "jingyu"])
    result_url = reverse("assessment:unit_result", args=[run.pk, "jingyu"])
    assert report_url in past and result_url in past
    # the values the unit reported are still there to read, and the published result opens
    report = reporter.get(report_url)
    value = next(s for s in Submission.objects.filter(period=period, unit=ctx["a"], value__isnull=False)
                 if s.indicator.entered_by_units)
    assert report.status_code == 200 and value.indicator.name in report.content.decode()
    assert f'data-testid="row-{value.indicator.code}"' in report.content.decode()
    assert 'data-testid="submit-all"' not in report.content.decode()  # closed: read only
    assert reporter.get(result_url).status_code == 200


def test_only_a_units_own_people_have_the_page(client_for, assessed):
    assert client_for(assessed["office"]).get(reverse("assessment:my_unit")).status_code == 404
    assert client_for(assessed["reporter_b"]).get(reverse("assessment:my_unit")).status_code == 200
