"""工作量统计: types kept by the office, quantities checked once (≥ 0, two decimals), the totals
and their sentence, each unit logging for itself only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.inspections.findings_world import insp  # noqa: F401  (fixture)


@pytest.fixture
def work(insp):  # noqa: F811
    from duibiao.inspections.services.worklogs import worktype_save

    w = insp
    w["green"] = worktype_save(actor=w["office"], name="清理绿地", unit_of_measure="平方米", order=1)
    w["trash"] = worktype_save(actor=w["office"], name="清运垃圾", unit_of_measure="吨", order=2)
    return w


def _log(w, unit, work_type, quantity, days_ago=1, actor=None):
    from duibiao.inspections.services.worklogs import WorkLogInput, worklog_record

    return worklog_record(actor=actor or w["office"], unit=w[unit], data=WorkLogInput(
        work_type=w[work_type], quantity=quantity, done_on=timezone.localdate() - timedelta(days=days_ago)))


@pytest.mark.parametrize(("raw", "message"), [
    ("", "请填写数量"), ("abc", "不是数字"), ("-1", "不能为负数"), ("1.234", "最多保留两位小数"),
    ("NaN", "有限的数字"), ("Infinity", "有限的数字"), ("1e12", "数量过大"),
])
def test_a_bad_quantity_is_refused_with_its_reason(work, raw, message):
    from duibiao.inspections.models import WorkLog
    from duibiao.inspections.validation import InvalidValue

    with pytest.raises(InvalidValue, match=message) as caught:
        _log(work, "a", "green", raw)
    assert caught.value.field == "quantity" and not WorkLog.objects.exists()


def test_quantities_are_kept_exactly(work):
    assert _log(work, "a", "green", "1,250.5").quantity == Decimal("1250.50")
    assert _log(work, "a", "green", "0").quantity == Decimal("0.00")


def test_the_totals_and_their_sentence(work):
    from duibiao.inspections.selectors.worklogs import WorkFilters, worklog_totals

    w = work
    _log(w, "a", "green", "80000")
    _log(w, "b", "green", "43456.5")
    _log(w, "a", "trash", "737")
    _log(w, "b", "trash", "12", days_ago=40)
    totals = worklog_totals(user=w["office"], filters=WorkFilters())
    assert totals.sentence == "截至目前，共清理绿地 12.35 万平方米、清运垃圾 749 吨。"
    assert [(line.unit.code, line.cells) for line in totals.units] == [
        ("jingyu", [Decimal("80000.00"), Decimal("737.00")]), ("taigu", [Decimal("43456.50"), Decimal("12.00")])]
    recent = worklog_totals(user=w["office"], filters=WorkFilters(starts_on=timezone.localdate() - timedelta(days=7)))
    assert recent.sentence == "截至目前，共清理绿地 12.35 万平方米、清运垃圾 737 吨。"
    # A unit reads its own work only.
    own = worklog_totals(user=w["reporter_b"], filters=WorkFilters())
    assert own.sentence == "截至目前，共清理绿地 4.35 万平方米、清运垃圾 12 吨。"
    assert worklog_totals(user=w["sysadmin"], filters=WorkFilters()).sentence == "截至目前，尚无工作量记录。"


def test_a_reporter_logs_for_his_unit_only_and_sees_errors_beside_the_field(work, client_for):
    from duibiao.inspections.models import WorkLog

    w = work
    client = client_for(w["reporter_a"])
    day = timezone.localdate().isoformat()
    bad = client.post(reverse("inspections:worklog_new"), {"unit": "jingyu", "work_type": w["green"].pk,
                                                           "quantity": "-5", "done_on": day})
    assert bad.status_code == 422
    assert 'data-testid="error-quantity"' in bad.content.decode() and "数量不能为负数" in bad.content.decode()
    # Unit B is not his: refused (as an unknown choice), nothing stored.
    other = client.post(reverse("inspections:worklog_new"), {"unit": "taigu", "work_type": w["green"].pk,
                                                             "quantity": "5", "done_on": day})
    assert other.status_code == 422 and not WorkLog.objects.exists()
    assert client.post(reverse("inspections:worklog_new"), {"unit": "jingyu", "work_type": w["green"].pk,
                                                            "quantity": "300", "done_on": day}).status_code == 302
    log = WorkLog.objects.get()
    assert (log.unit, log.recorded_by, log.quantity) == (w["a"], w["reporter_a"], Decimal("300.00"))
    page = client.get(reverse("inspections:worklogs"))
    assert "截至目前，共清理绿地 300 平方米。" in page.content.decode()
    # The unit head reads, but may not log.
    assert client_for(w["head_a"]).post(reverse("inspections:worklog_new"), {
        "unit": "jingyu", "work_type": w["green"].pk, "quantity": "1", "done_on": day}).status_code == 403
    # Unit B's reporter cannot edit or delete A's entry.
    edit = reverse("inspections:worklog_edit", args=[log.pk])
    assert client_for(w["reporter_b"]).post(edit, {"version": 1, "delete": "1"}).status_code == 404
    assert WorkLog.objects.filter(pk=log.pk).exists()


def test_an_edit_needs_its_version_and_a_delete_leaves_an_audit_row(work, client_for):
    from duibiao.audit.models import AuditEntry
    from duibiao.inspections.models import WorkLog

    w = work
    log = _log(w, "a", "green", "10", actor=w["reporter_a"])
    client = client_for(w["reporter_a"])
    url = reverse("inspections:worklog_edit", args=[log.pk])
    values = {"work_type": w["green"].pk, "quantity": "12", "done_on": log.done_on.isoformat()}
    assert client.post(url, {**values, "version": 1}).status_code == 302
    assert client.post(url, {**values, "quantity": "99", "version": 1}).status_code == 409
    log.refresh_from_db()
    assert log.quantity == Decimal("12.00")
    assert client.post(url, {"version": 2, "delete": "1"}).status_code == 302
    assert not WorkLog.objects.exists()
    assert AuditEntry.objects.filter(action="inspections.worklog.delete").count() == 1


def test_only_the_office_keeps_the_types(work, client_for):
    from duibiao.inspections.models import WorkType

    w = work
    url = reverse("inspections:worktypes")
    assert client_for(w["reporter_a"]).get(url).status_code == 403
    client = client_for(w["office"])
    clash = client.post(url, {"name": "清理绿地", "unit_of_measure": "平方米", "active": "1"})
    assert clash.status_code == 422 and "已有名为“清理绿地”的工作类型" in clash.content.decode()
    assert client.post(url, {"name": "修剪树木", "unit_of_measure": "株", "order": "3", "active": "1"}).status_code == 302
    trees = WorkType.objects.get(name="修剪树木")
    # Retiring a type: it leaves the reporters' choice.
    assert client.post(url, {"pk": trees.pk, "version": 1, "name": "修剪树木", "unit_of_measure": "株",
                             "order": "3"}).status_code == 302
    trees.refresh_from_db()
    assert not trees.active
    page = client_for(w["reporter_a"]).get(reverse("inspections:worklogs"))
    assert "修剪树木" not in [t.name for t in page.context["record_types"]]
