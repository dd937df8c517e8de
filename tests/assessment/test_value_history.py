"""数据记录: one value's history (who, when, old → new, status) from its audit rows and review
events, linked from the reporting row and the task force's review row, behind the same gate
as the value itself."""

from __future__ import annotations

import inspect

from django.urls import reverse

from duibiao.assessment.services.submissions import (
    ValueInput,
    review_return,
    submission_save,
    submission_submit,
)


def submit(assessed):
    # Submitting a few values of many asks to confirm where the completeness check exists.
    extra = {"confirm": True} if "confirm" in inspect.signature(submission_submit).parameters else {}
    submission_submit(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                      codes=["nl02"], **extra)


def test_history_shows_who_when_old_new_and_status(client_for, assessed):
    period, unit, ind = assessed["period"], assessed["a"], assessed["ind"]["nl02"]
    sub = submission_save(actor=assessed["reporter_a"], period=period, unit=unit,
                          item=ValueInput(indicator=ind, value="80", expected_version=0))
    sub = submission_save(actor=assessed["reporter_a"], period=period, unit=unit,
                          item=ValueInput(indicator=ind, value="90.5", expected_version=sub.version))
    submit(assessed)
    sub.refresh_from_db()
    review_return(actor=assessed["taskforce"], submission=sub, expected_version=sub.version, reason="与台账不一致")

    reporter = client_for(assessed["reporter_a"])
    row = reporter.get(reverse("assessment:report_unit", args=[period.pk, "jingyu"])).content.decode()
    url = reverse("assessment:value_history", args=[sub.pk])
    assert f'href="{url}"' in row  # reached by clicking from the reporting page
    page = reporter.get(url).content.decode()
    lines = page.count('data-testid="history-line"')
    assert lines == 4, page  # saved, saved again, submitted, returned
    assert "（空） → 80" in page and "80 → 90.5" in page
    assert "与台账不一致" in page and "退回" in page and "已退回" in page and "tb_a" in page
    assert page.index("80 → 90.5") < page.index("与台账不一致")  # oldest first

    # The task force reaches the same page from its review row.
    review = client_for(assessed["taskforce"]).get(
        reverse("assessment:review_indicator", args=[period.pk, "nl02"])).content.decode()
    assert f'href="{url}"' in review
    assert client_for(assessed["taskforce"]).get(url).status_code == 200


def test_another_unit_cannot_read_the_history(client_for, assessed):
    sub = submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                          item=ValueInput(indicator=assessed["ind"]["nl02"], value="80", expected_version=0))
    url = reverse("assessment:value_history", args=[sub.pk])
    response = client_for(assessed["reporter_b"]).get(url)
    assert response.status_code == 404 and 'data-testid="history"' not in response.content.decode()
    assert client_for(assessed["sysadmin"]).get(url).status_code in (403, 404)
