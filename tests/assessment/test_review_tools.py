"""专班审核 tools: filters, the comparison with the previous period and the category median,
the outlier flags (hand-computed cases), and bulk approval — each audited, stale rows
skipped, another task force's row refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from duibiao.assessment.errors import AssessmentError
from duibiao.assessment.models import Period, ReviewEvent, Submission
from duibiao.assessment.selectors.review_list import (
    ReviewFilters,
    compare,
    previous_period,
    review_list,
    robust_z,
)
from duibiao.assessment.services.submissions import review_bulk_approve
from duibiao.audit.models import AuditEntry
from duibiao.org.models import Unit
from duibiao.org.services import unit_create


def url(name, *args):
    return reverse(f"assessment:{name}", args=args)


# ---------------------------------------------------------------- the pure rules


def test_robust_z_by_hand():
    # median 3; |x − 3| = 2, 1, 0, 1, 97 → MAD 1 → scale 1.4826
    median, scores = robust_z([1, 2, 3, 4, 100])
    assert median == 3
    assert scores[0] == pytest.approx(-2 / 1.4826)
    assert scores[2] == 0
    assert scores[4] == pytest.approx(97 / 1.4826)  # 65.43


def test_robust_z_even_count_and_no_spread():
    # median (2 + 4) / 2 = 3; |x − 3| = 2, 1, 1, 7 → MAD (1 + 2) / 2 = 1.5
    median, scores = robust_z([1, 2, 4, 10])
    assert median == 3 and scores[3] == pytest.approx(7 / (1.5 * 1.4826))
    # three of four equal: the MAD is 0, no spread to measure by, no z-scores
    assert robust_z([5, 5, 5, 9]) == (5, [None, None, None, None])
    assert robust_z([]) == (None, [])


def test_outlier_thresholds_are_strict():
    assert not compare(1, None, 0, 3.0, z_limit=3, change_limit=0.5).outlier
    assert compare(1, None, 0, -3.01, z_limit=3, change_limit=0.5).outlier_z
    # 10 → 15 is +50 %: not more than 50 %; 10 → 15.1 is; 10 → 4.9 is −51 %
    assert not compare(15, 10, None, None, z_limit=3, change_limit=0.5).outlier
    flagged = compare(15.1, 10, None, None, z_limit=3, change_limit=0.5)
    assert flagged.outlier_change and flagged.change == pytest.approx(0.51) and flagged.change_text == "+51%"
    assert compare(4.9, 10, None, None, z_limit=3, change_limit=0.5).outlier_change
    # no previous value, or a previous 0: a change is not a percentage of nothing
    assert compare(7, 0, None, None, z_limit=3, change_limit=0.5).change is None
    assert not compare(7, None, None, None, z_limit=3, change_limit=0.5).outlier


# ---------------------------------------------------------------- through the selector


def _street(world, code):
    return unit_create(actor=None, code=code, name=f"{code}街道", kind=Unit.Kind.STREET,
                       parent=world["district"], category=world["a"].category, tier=world["a"].tier)


def _value(period, unit, indicator, value, status=Submission.Status.SUBMITTED):
    return Submission.objects.create(period=period, unit=unit, indicator=indicator, value=Decimal(value),
                                     status=status)


@pytest.fixture
def compared(assessed):
    return build_compared(assessed)


def build_compared(assessed: dict) -> dict:
    """nl03 (12345热线办结率) in the open quarter: five streets at 90, 91, 92, 93, 99 and the
    department at 80; the quarter before, 靖宇 had 50 and 太古 90."""
    period, nl03 = assessed["period"], assessed["ind"]["nl03"]
    before = Period.objects.create(
        version=assessed["version"], kind=Period.Kind.QUARTER, year=2026, number=3, name="2026年第三季度",
        opens_on=date(2026, 7, 9), deadline=date(2026, 7, 23), status=Period.Status.CLOSED)
    _value(before, assessed["a"], nl03, "50", Submission.Status.APPROVED)
    _value(before, assessed["b"], nl03, "90", Submission.Status.APPROVED)
    units = [assessed["a"], assessed["b"], _street(assessed, "s3"), _street(assessed, "s4"), _street(assessed, "s5")]
    subs = {u.code: _value(period, u, nl03, v) for u, v in zip(units, ("90", "91", "92", "93", "99"), strict=True)}
    subs["fagai"] = _value(period, assessed["fagai"], nl03, "80", Submission.Status.APPROVED)
    return {**assessed, "before": before, "subs": subs}


def test_each_value_with_previous_median_and_flags(compared):
    assert previous_period(compared["period"]) == compared["before"]
    rows = {s.unit.code: s.compare for s in review_list(
        user=compared["taskforce"], period=compared["period"], indicator=compared["ind"]["nl03"])}
    # streets: median 92, |x − 92| = 2, 1, 0, 1, 7 → MAD 1; 99 → z = 7 / 1.4826 = 4.72
    assert rows["s5"].median == 92 and rows["s5"].z == pytest.approx(7 / 1.4826) and rows["s5"].outlier_z
    assert not rows["s4"].outlier and rows["s4"].z == pytest.approx(1 / 1.4826)
    # 靖宇 50 → 90 is +80 %: flagged; 太古 90 → 91 is +1.1 %: not
    assert rows["jingyu"].previous == 50 and rows["jingyu"].outlier_change and not rows["jingyu"].outlier_z
    assert rows["taigu"].previous == 90 and not rows["taigu"].outlier
    assert rows["s3"].previous is None
    # the department is its own category: its median is its own value
    assert rows["fagai"].median == 80 and rows["fagai"].z is None and not rows["fagai"].outlier


def test_thresholds_come_from_settings(compared):
    with override_settings(DUIBIAO_OUTLIER_Z=5, DUIBIAO_OUTLIER_CHANGE=0.9):
        rows = {s.unit.code: s.compare for s in review_list(
            user=compared["taskforce"], period=compared["period"], indicator=compared["ind"]["nl03"])}
    assert not rows["s5"].outlier and not rows["jingyu"].outlier


def test_filters_leave_the_median_alone(compared):
    rows = review_list(user=compared["taskforce"], period=compared["period"], indicator=compared["ind"]["nl03"])
    kept = [s for s in rows if ReviewFilters(unit="s5").keep(s)]
    assert [s.unit.code for s in kept] == ["s5"] and kept[0].compare.median == 92


# ---------------------------------------------------------------- the page


def test_page_filters_and_shows_the_comparison(client_for, compared):
    client = client_for(compared["taskforce"])
    page_url = url("review_indicator", compared["period"].pk, "nl03")
    page = client.get(page_url).content.decode()
    assert page.count('data-testid="outlier"') == 2 and "类别中位数" in page and "批量通过" in page
    only = client.get(page_url, {"status": "approved"}).content.decode()
    assert 'data-testid="sub-fagai"' in only and 'data-testid="sub-jingyu"' not in only
    streets = client.get(page_url, {"category": "street", "status": "submitted"}).content.decode()
    assert 'data-testid="sub-s5"' in streets and 'data-testid="sub-fagai"' not in streets
    one = client.get(page_url, {"unit": "taigu"}).content.decode()
    assert 'data-testid="sub-taigu"' in one and 'data-testid="sub-s5"' not in one


@pytest.mark.parametrize("query", [{"status": "draft"}, {"status": "x"}, {"unit": "nangang"}, {"category": "nope"}])
def test_bad_filters_are_400_in_chinese(client_for, compared, query):
    response = client_for(compared["taskforce"]).get(url("review_indicator", compared["period"].pk, "nl03"), query)
    assert response.status_code == 400 and "没有" in response.content.decode()


# ---------------------------------------------------------------- bulk approval


def test_bulk_approve_audits_each_and_skips_stale(compared):
    subs = compared["subs"]
    picks = {subs["jingyu"].pk: subs["jingyu"].version, subs["taigu"].pk: subs["taigu"].version,
             subs["s3"].pk: subs["s3"].version - 1,  # stale: someone changed it since
             subs["fagai"].pk: subs["fagai"].version}  # already approved
    result = review_bulk_approve(actor=compared["taskforce"], picks=picks)
    assert sorted(s.unit.code for s in result.approved) == ["jingyu", "taigu"]
    skipped = {s.unit.code: reason for s, reason in result.skipped}
    assert "已被他人修改" in skipped["s3"] and "已审核" in skipped["fagai"]
    assert Submission.objects.get(pk=subs["s3"].pk).status == "submitted"
    audited = AuditEntry.objects.filter(action="review.approve")
    assert sorted(audited.values_list("object_id", flat=True)) == sorted(
        str(subs[c].pk) for c in ("jingyu", "taigu"))
    assert ReviewEvent.objects.filter(action="approve").count() == 2


def test_bulk_approve_refuses_another_task_forces_row_whole(compared):
    ys03 = _value(compared["period"], compared["a"], compared["ind"]["ys03"], "70")
    mine = compared["subs"]["taigu"]
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    with pytest.raises((PermissionDenied, Http404)):
        review_bulk_approve(actor=compared["taskforce"], picks={mine.pk: mine.version, ys03.pk: ys03.version})
    assert Submission.objects.get(pk=mine.pk).status == "submitted"  # nothing half-done
    assert Submission.objects.get(pk=ys03.pk).status == "submitted"
    assert not AuditEntry.objects.filter(action="review.approve").exists()
    with pytest.raises(AssessmentError):
        review_bulk_approve(actor=compared["taskforce"], picks={999999: 1})


def test_bulk_approve_through_the_page(client_for, compared):
    subs = compared["subs"]
    client = client_for(compared["taskforce"])
    response = client.post(url("bulk_approve", compared["period"].pk, "nl03"), {
        "pick": [subs["s4"].pk, subs["s5"].pk], f"version-{subs['s4'].pk}": subs["s4"].version,
        f"version-{subs['s5'].pk}": subs["s5"].version - 1, "status": "submitted"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("?status=submitted")
    assert "已通过 1 条数据" in page and "s5街道 未通过" in page
    assert Submission.objects.get(pk=subs["s4"].pk).status == "approved"
    assert Submission.objects.get(pk=subs["s5"].pk).status == "submitted"
    # a row of another task force through the page: refused, nothing approved
    ys03 = _value(compared["period"], compared["a"], compared["ind"]["ys03"], "70")
    refused = client.post(url("bulk_approve", compared["period"].pk, "nl03"), {
        "pick": [subs["s5"].pk, ys03.pk], f"version-{subs['s5'].pk}": subs["s5"].version,
        f"version-{ys03.pk}": ys03.version})
    assert refused.status_code in (403, 404)
    assert Submission.objects.get(pk=subs["s5"].pk).status == "submitted"
    # a missing version or a malformed pick is a 400, not a 500
    assert client.post(url("bulk_approve", compared["period"].pk, "nl03"),
                       {"pick": [subs["s5"].pk]}).status_code == 400
    assert client.post(url("bulk_approve", compared["period"].pk, "nl03"), {"pick": ["x"]}).status_code == 400
    # nothing ticked: told so
    empty = client.post(url("bulk_approve", compared["period"].pk, "nl03"), {}, follow=True)
    assert "请先勾选要通过的数据" in empty.content.decode()


# ---------------------------------------------------------------- bonus / penalty / veto evidence


def _record(client, period, code, unit_code, value, version=0):
    return client.post(url("score", period.pk, code, unit_code),
                       {"value": value, "justification": "省级表彰文件", "version": str(version)})


def test_task_force_attaches_evidence_to_a_bonus_record(client_for, assessed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from duibiao.assessment.models import Evidence
    from tests.files.samples import ATTACK_HTML, PDF

    period, client = assessed["period"], client_for(assessed["taskforce"])
    evidence_url = url("score_evidence", period.pk, "jl02", "jingyu")
    # before the record exists: told to save it first, next to the file field
    early = client.post(evidence_url, {"file": SimpleUploadedFile("表彰.pdf", PDF)})
    assert early.status_code == 422 and "请先保存分值与理由" in early.content.decode()
    assert _record(client, period, "jl02", "jingyu", "1").status_code == 200
    done = client.post(evidence_url, {"file": SimpleUploadedFile("表彰.pdf", PDF)})
    evidence = Evidence.objects.get(submission__indicator__code="jl02")
    assert done.status_code == 200 and reverse("assessment:evidence_view", args=[evidence.pk]) in done.content.decode()
    assert evidence.content_type == "application/pdf"
    assert AuditEntry.objects.filter(action="evidence.attach", object_id=str(evidence.submission_id)).exists()
    # the unit sees and opens it; a web page dressed as a PDF is refused by content
    assert client_for(assessed["reporter_a"]).get(
        reverse("assessment:evidence_download", args=[evidence.pk])).status_code == 200
    attack = client.post(evidence_url, {"file": SimpleUploadedFile("表彰.pdf", ATTACK_HTML)})
    assert attack.status_code == 422 and 'data-testid="file-error"' in attack.content.decode()
    assert Evidence.objects.filter(submission__indicator__code="jl02").count() == 1
    # no file at all: said so
    assert "请选择要上传的文件" in client.post(evidence_url, {}).content.decode()


def test_evidence_on_records_is_refused_to_others(client_for, assessed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from duibiao.assessment.models import Evidence
    from tests.files.samples import PDF

    period = assessed["period"]
    _record(client_for(assessed["taskforce"]), period, "jl02", "jingyu", "1")
    evidence_url = url("score_evidence", period.pk, "jl02", "jingyu")
    for user in ("reporter_a", "head_a", "leader"):
        refused = client_for(assessed[user]).post(evidence_url, {"file": SimpleUploadedFile("x.pdf", PDF)})
        assert refused.status_code in (403, 404), user
    assert not Evidence.objects.exists()


def test_bulk_approve_through_the_api(client_for, compared):
    subs = compared["subs"]
    client = client_for(compared["taskforce"])
    endpoint = f"/api/assessment/periods/{compared['period'].pk}/review/nl03/approve"
    done = client.post(endpoint, {"items": [{"id": subs["s3"].pk, "version": subs["s3"].version},
                                            {"id": subs["s4"].pk, "version": subs["s4"].version - 1}]},
                       content_type="application/json")
    assert done.status_code == 200
    assert done.json()["approved"] == [subs["s3"].pk]
    assert done.json()["skipped"][0]["unit"] == "s4" and "已被他人修改" in done.json()["skipped"][0]["reason"]
    # another task force's row: refused whole; an empty list: 422
    ys03 = _value(compared["period"], compared["a"], compared["ind"]["ys03"], "70")
    refused = client.post(endpoint, {"items": [{"id": subs["s5"].pk, "version": subs["s5"].version},
                                               {"id": ys03.pk, "version": ys03.version}]},
                          content_type="application/json")
    assert refused.status_code in (403, 404)
    assert Submission.objects.get(pk=subs["s5"].pk).status == "submitted"
    assert client.post(endpoint, {"items": []}, content_type="application/json").status_code == 422
    # a reporter cannot use it at all
    reporter = client_for(compared["reporter_a"])
    assert reporter.post(endpoint, {"items": [{"id": subs["jingyu"].pk, "version": subs["jingyu"].version}]},
                         content_type="application/json").status_code in (403, 404)
    assert Submission.objects.get(pk=subs["jingyu"].pk).status == "submitted"
