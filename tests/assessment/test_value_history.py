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


def test_reporter_and_task_force_write_to_each_other_about_a_value(client_for, assessed):
    from duibiao.audit.models import AuditEntry

    sub = submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                          item=ValueInput(indicator=assessed["ind"]["nl02"], value="80", expected_version=0))
    add = reverse("assessment:comment_add", args=[sub.pk])
    page = reverse("assessment:value_history", args=[sub.pk])
    tf = client_for(assessed["taskforce"])
    assert tf.post(add, {"text": "整改率口径是否含跨年问题？"}).status_code == 302
    reporter = client_for(assessed["reporter_a"])
    assert reporter.post(add, {"text": "不含，按当年交办口径"}).status_code == 302
    assert client_for(assessed["head_a"]).post(add, {"text": "已核对"}).status_code == 302
    text = reporter.get(page).content.decode()
    assert text.count('data-testid="comment"') == 3
    assert text.index("整改率口径") < text.index("不含，按当年交办口径") < text.index("已核对")
    assert AuditEntry.objects.filter(action="submission.comment", object_id=str(sub.pk)).count() == 3
    # The value itself is untouched by a comment.
    sub.refresh_from_db()
    assert (sub.value, sub.version, sub.status) == (80, 1, "draft")


def test_comment_errors_show_under_the_box_and_nothing_is_stored(client_for, assessed):
    from duibiao.assessment.models import SubmissionComment

    sub = submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                          item=ValueInput(indicator=assessed["ind"]["nl02"], value="80", expected_version=0))
    add = reverse("assessment:comment_add", args=[sub.pk])
    reporter = client_for(assessed["reporter_a"])
    blank = reporter.post(add, {"text": "   "})
    assert blank.status_code == 422 and 'data-testid="comment-error"' in blank.content.decode()
    assert "请填写留言内容" in blank.content.decode()
    long = reporter.post(add, {"text": "长" * 1001})
    body = long.content.decode()
    assert long.status_code == 422 and "最多 1000 字" in body and "长" * 1001 in body  # kept to be shortened
    assert not SubmissionComment.objects.exists()


def test_outsiders_cannot_comment(client_for, assessed):
    """Another unit's reporter, another task force, the leader (reads only) and the system
    administrator are each refused, and nothing is stored."""
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.assessment.models import SubmissionComment
    from duibiao.org.models import TaskForce

    sub = submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                          item=ValueInput(indicator=assessed["ind"]["nl02"], value="80", expected_version=0))
    other_tf = user_create(actor=None, username="zb3_member", password="Duibiao@2026-x")
    role_grant(actor=None, user=other_tf, role=Role.TASKFORCE, units=[assessed["district"]],
               taskforce=TaskForce.objects.get(code="zb3"))
    add = reverse("assessment:comment_add", args=[sub.pk])
    for user in (assessed["reporter_b"], other_tf, assessed["leader"], assessed["sysadmin"]):
        response = client_for(user).post(add, {"text": "越权留言"})
        assert response.status_code in (403, 404), user.username
    assert not SubmissionComment.objects.exists()
    # Those who may not write do not see the box either.
    assert 'name="text"' not in client_for(assessed["leader"]).get(
        reverse("assessment:value_history", args=[sub.pk])).content.decode()
