"""Reporting and review through the pages and the API, and the gate on every one of them."""

from __future__ import annotations

from django.urls import reverse

from duibiao.assessment.models import Submission
from duibiao.assessment.services.submissions import ValueInput, submission_save, submission_submit


def url(name, *args):
    return reverse(f"assessment:{name}", args=args)


def test_reporter_sees_its_form_and_saves_a_row(client_for, assessed):
    client = client_for(assessed["reporter_a"])
    pid = assessed["period"].pk
    page = client.get(url("report_unit", pid, "jingyu")).content.decode()
    assert "督查问题整改率" in page and "作风建设专项整治完成" in page
    assert 'data-testid="row-nl02"' in page and 'data-testid="row-nl01"' not in page  # manual: task force
    response = client.post(url("value_save", pid, "jingyu", "nl02"), {"value": "96", "note": "", "version": "0"})
    assert response.status_code == 200 and 'data-testid="row-saved"' in response.content.decode()
    assert Submission.objects.get(indicator__code="nl02").value == 96


def test_stale_form_shows_the_conflict(client_for, assessed):
    client = client_for(assessed["reporter_a"])
    pid = assessed["period"].pk
    client.post(url("value_save", pid, "jingyu", "nl02"), {"value": "96", "version": "0"})
    client.post(url("value_save", pid, "jingyu", "nl02"), {"value": "97", "version": "1"})
    stale = client.post(url("value_save", pid, "jingyu", "nl02"), {"value": "98", "version": "1"})
    assert "已被他人修改" in stale.content.decode()
    assert Submission.objects.get(indicator__code="nl02").value == 97


def test_bad_value_is_explained(client_for, assessed):
    client = client_for(assessed["reporter_a"])
    response = client.post(url("value_save", assessed["period"].pk, "jingyu", "nl02"), {"value": "很高", "version": "0"})
    assert response.status_code == 422 and "不是数字" in response.content.decode()


def test_another_units_reporter_is_refused_everywhere(client_for, assessed):
    pid = assessed["period"].pk
    sub = submission_save(actor=assessed["reporter_a"], period=assessed["period"], unit=assessed["a"],
                          item=ValueInput(indicator=assessed["ind"]["nl02"], value="90", expected_version=0))
    client = client_for(assessed["reporter_b"])
    assert client.get(url("report_unit", pid, "jingyu")).status_code == 404
    assert client.post(url("value_save", pid, "jingyu", "nl02"), {"value": "1", "version": "1"}).status_code == 404
    assert client.post(url("report_submit", pid, "jingyu")).status_code == 404
    assert client.post(url("evidence_upload", sub.pk), {}).status_code == 404
    assert client.post(url("approve", sub.pk), {"version": "1"}).status_code == 404
    assert client.get(f"/api/assessment/periods/{pid}/units/jingyu/rows").status_code == 404
    api = client.put(f"/api/assessment/periods/{pid}/units/jingyu/values/nl02", {"value": 1, "version": 1},
                     content_type="application/json")
    assert api.status_code == 404
    assert Submission.objects.get(pk=sub.pk).value == 90


def test_task_force_returns_and_approves_through_the_pages(client_for, assessed):
    period = assessed["period"]
    for code, value in (("nl02", "90"), ("nl03", "95")):
        submission_save(actor=assessed["reporter_a"], period=period, unit=assessed["a"],
                        item=ValueInput(indicator=assessed["ind"][code], value=value, expected_version=0))
    submission_submit(actor=assessed["reporter_a"], period=period, unit=assessed["a"], confirm=True)
    client = client_for(assessed["taskforce"])
    overview = client.get(url("review_home", period.pk)).content.decode()
    assert 'data-testid="review-nl02"' in overview and 'data-testid="review-ys03"' not in overview
    nl02 = Submission.objects.get(indicator__code="nl02")
    nl03 = Submission.objects.get(indicator__code="nl03")
    client.post(url("return", nl02.pk), {"version": nl02.version, "reason": "请附台账"})
    client.post(url("approve", nl03.pk), {"version": nl03.version})
    assert Submission.objects.get(pk=nl02.pk).status == "returned"
    assert Submission.objects.get(pk=nl03.pk).status == "approved"
    page = client_for(assessed["reporter_a"]).get(url("report_unit", period.pk, "jingyu")).content.decode()
    assert "请附台账" in page


def test_task_force_cannot_open_another_task_forces_indicator(client_for, assessed):
    client = client_for(assessed["taskforce"])
    assert client.get(url("review_indicator", assessed["period"].pk, "ys03")).status_code == 404
    assert client.get(url("review_indicator", assessed["period"].pk, "nl01")).status_code == 200


def test_manual_score_through_the_page(client_for, assessed):
    client = client_for(assessed["taskforce"])
    response = client.post(url("score", assessed["period"].pk, "nl01", "jingyu"),
                           {"value": "88", "justification": "制度落实较好", "version": "0"})
    assert "已保存" in response.content.decode()
    assert Submission.objects.get(indicator__code="nl01", unit__code="jingyu").justification == "制度落实较好"


def test_api_flow_with_conflict_status(client_for, assessed):
    client = client_for(assessed["reporter_a"])
    pid = assessed["period"].pk
    base = f"/api/assessment/periods/{pid}/units/jingyu"
    first = client.put(f"{base}/values/nl02", {"value": "90", "version": 0}, content_type="application/json").json()
    assert first["version"] == 1 and first["status"] == "draft"
    client.put(f"{base}/values/nl02", {"value": "91", "version": 1}, content_type="application/json")
    stale = client.put(f"{base}/values/nl02", {"value": "92", "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    bad = client.put(f"{base}/values/nl02", {"value": "abc", "version": 2}, content_type="application/json")
    assert bad.status_code == 422 and "不是数字" in bad.json()["detail"]
    assert client.post(f"{base}/submit?confirm=true").json() == {"submitted": 1}
    rows = client.get(f"{base}/rows").json()["items"]
    assert {r["indicator"]["code"] for r in rows} >= {"nl02", "nl03", "nl10", "gz01"}
    reviewer = client_for(assessed["taskforce"])
    sub = reviewer.get(f"/api/assessment/periods/{pid}/review/nl02").json()["items"][0]
    done = reviewer.post(f"/api/assessment/submissions/{sub['id']}/approve", {"version": sub["version"]},
                         content_type="application/json")
    assert done.json()["status"] == "approved"


def test_scheme_pages_and_api(client_for, assessed):
    office = client_for(assessed["office"])
    assert "编辑方案" in office.get(url("scheme_detail", "daowai-2023")).content.decode()
    checked = office.post(url("scheme_check", "daowai-2023"), {"document": "tree: ["}).content.decode()
    assert "text-danger" in checked
    doc = assessed["version"].document.replace("理论学习和党风廉政建设", "理论武装", 1)
    saved = office.post("/api/assessment/schemes/daowai-2023/versions", {"document": doc, "based_on": 1},
                        content_type="application/json")
    assert saved.status_code == 201 and saved.json()["version"] == 2
    invalid = office.post("/api/assessment/schemes/daowai-2023/versions", {"document": "code: [", "based_on": 2},
                          content_type="application/json")
    assert invalid.status_code == 422
    reporter = client_for(assessed["reporter_a"])
    assert reporter.get(url("scheme_edit", "daowai-2023")).status_code == 403
    assert reporter.post("/api/assessment/schemes/daowai-2023/versions", {"document": doc, "based_on": 2},
                         content_type="application/json").status_code == 403
    assert reporter.get("/api/assessment/schemes/daowai-2023").json()["version"] == 2


def test_save_answers_htmx_with_the_row_and_a_plain_form_with_the_page(client_for, assessed):
    """The page saves a field on leaving it (htmx: the row alone comes back, with the new
    version and no hx-preserve on a conflict); without JavaScript the <noscript> 保存 button
    posts the form and the whole page comes back with that row's outcome on it."""
    client = client_for(assessed["reporter_a"])
    pid = assessed["period"].pk
    page = client.get(url("report_unit", pid, "jingyu")).content.decode()
    assert 'hx-trigger="change, submit"' in page and "<noscript><button" in page
    row = client.post(url("value_save", pid, "jingyu", "nl02"), {"value": "96", "version": "0"},
                      headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in row and row.count("<tr") == 1
    assert 'name="version" value="1"' in row and 'data-cell="saved"' in row
    stale = client.post(url("value_save", pid, "jingyu", "nl02"), {"value": "90", "version": "0"},
                        headers={"HX-Request": "true"})
    assert stale.status_code == 409 and "hx-preserve" not in stale.content.decode()
    assert 'value="96"' in stale.content.decode()  # the stored value is shown again, not what was typed
    plain = client.post(url("value_save", pid, "jingyu", "nl03"), {"value": "一百", "version": "0"})
    text = plain.content.decode()
    assert plain.status_code == 422 and 'data-testid="report-title"' in text
    assert text.count('data-testid="row-error"') == 1 and "不是数字" in text
    assert not Submission.objects.filter(indicator__code="nl03").exists()
