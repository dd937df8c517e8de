"""The audit administrator's page: reached from the home page, searched by date range, user,
unit and event, a row opened with its before / after, the filtered rows exported to Excel
(formula-safe), and the chain's state with 立即校验. Everyone else is refused."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from duibiao.audit import triggers
from duibiao.audit.models import AuditEntry, ChainCheck
from duibiao.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(world):
    """Rows of two users, two units and three days (the world's own rows are today's)."""
    office, reporter = world["office"], world["reporter_a"]
    old = timezone.now() - timedelta(days=10)
    rows = {
        "old": audit_record(actor=office, action="scheme.indicator.update", unit=world["district"],
                            before={"weight": 10, "name": "招商引资"}, after={"weight": 12, "name": "招商引资"}),
        "save_a": audit_record(actor=reporter, action="submission.save", unit=world["a"],
                               before={"value": "1.5"}, after={"value": "2.5", "note": "更正"}),
        "save_b": audit_record(actor=world["reporter_b"], action="submission.save", unit=world["b"],
                               after={"value": "7"}),
        "formula": audit_record(actor=None, action="login", username="=HYPERLINK(\"http://x\")",
                                success=False, detail="@SUM(A1)"),
    }
    # The dated row: written as of ten days ago through the chain (not changed afterwards).
    from duibiao.audit.chain import chain_append
    from duibiao.audit.services import audit_entry

    dated = audit_entry(actor=office, action="role.grant", unit=world["a"], after={"role": "reporter"})
    dated.at = old
    rows["dated"] = chain_append([dated])[0]
    return rows


def _ids(response) -> set[int]:
    return {e.pk for e in response.context["page"]}


def test_the_auditor_reaches_the_log_from_home_and_opens_a_row(client_for, world, log):
    client = client_for(world["auditor"])
    home = client.get("/").content.decode()
    assert reverse("audit:list") in home
    page = client.get(reverse("audit:list")).content.decode()
    assert reverse("audit:detail", args=[log["save_a"].pk]) in page
    detail = client.get(reverse("audit:detail", args=[log["save_a"].pk]))
    html = detail.content.decode()
    assert detail.status_code == 200 and "tb_a" in html and log["save_a"].hash in html
    diff = {line.key: line for line in detail.context["diff"]}
    assert diff["value"].before == "1.5" and diff["value"].after == "2.5" and diff["value"].changed
    assert diff["note"].before == "" and diff["note"].after == "更正" and diff["note"].changed
    assert html.count('data-testid="changed"') == 2
    same = {line.key: line for line in client.get(
        reverse("audit:detail", args=[log["old"].pk])).context["diff"]}
    assert not same["name"].changed and same["weight"].changed


def test_search_by_date_range_user_unit_and_event(client_for, world, log):
    client = client_for(world["auditor"])
    url = reverse("audit:list")
    today = timezone.localdate()
    assert _ids(client.get(url, {"username": "tb_a"})) == {log["save_a"].pk}
    by_unit = _ids(client.get(url, {"unit": world["a"].pk, "action": "submission"}))
    assert by_unit == {log["save_a"].pk}
    assert log["dated"].pk in _ids(client.get(url, {"unit": world["a"].pk}))
    assert _ids(client.get(url, {"action": "填报值"})) >= {log["save_a"].pk, log["save_b"].pk}
    ten_days_ago = (today - timedelta(days=10)).isoformat()
    window = _ids(client.get(url, {"date_from": ten_days_ago, "date_to": ten_days_ago}))
    assert window == {log["dated"].pk}
    recent = _ids(client.get(url, {"date_from": today.isoformat(), "action": "role.grant"}))
    assert log["dated"].pk not in recent
    # The unit filter offers the units the log names.
    units = dict(client.get(url).context["units"])
    assert units[world["a"].pk] == "靖宇街道"


def test_bad_filters_are_shown_beside_their_fields(client_for, world, log):
    client = client_for(world["auditor"])
    response = client.get(reverse("audit:list"), {"date_from": "2026-13-01", "date_to": "2026-01-01",
                                                  "unit": "abc"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-date_from"' in html and "起始日期" in html
    assert 'data-testid="error-unit"' in html
    reversed_range = client.get(reverse("audit:list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "截止日期不能早于起始日期" in reversed_range.content.decode()


def test_the_export_is_the_filtered_rows_and_formula_safe(client_for, world, log):
    client = client_for(world["auditor"])
    everything = client.get(reverse("audit_export:xlsx"))
    assert everything.status_code == 200
    assert everything["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(everything.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    ids = [row[0] for row in rows]
    # Everything as of the request, oldest first (the download itself is logged after).
    assert ids == sorted(ids) and log["formula"].pk in ids and log["dated"].pk in ids
    formula = next(row for row in sheet.iter_rows(min_row=3) if row[0].value == log["formula"].pk)
    assert formula[2].value == '=HYPERLINK("http://x")' and formula[2].data_type == "s"
    assert formula[2].quotePrefix and formula[12].value == "@SUM(A1)" and formula[12].quotePrefix
    filtered = client.get(reverse("audit_export:xlsx"), {"username": "tb_a"})
    rows = list(load_workbook(io.BytesIO(filtered.content)).active.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [log["save_a"].pk]
    assert rows[0][13] == '{"value": "1.5"}' and rows[0][15] == log["save_a"].hash
    # The download is itself in the log, with the filter it used.
    assert AuditEntry.objects.filter(action="download", detail__contains="username=tb_a").exists()


def test_an_export_too_large_is_refused_beside_the_button(client_for, world, log, settings):
    settings.DUIBIAO_AUDIT_EXPORT_MAX_ROWS = 2
    client = client_for(world["auditor"])
    today = timezone.localdate().isoformat()
    response = client.get(reverse("audit_export:xlsx"), {"date_from": today}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain and 'data-testid="error-export"' in html and "超过 2 条" in html
    assert str(response.context["filters"].date_from) == today  # the filter is kept
    assert client.get(reverse("audit_export:xlsx"), {"username": "tb_a"}).status_code == 200


def test_the_chain_state_and_verify_now(client_for, world, log):
    client = client_for(world["auditor"])
    page = client.get(reverse("audit:list")).content.decode()
    assert "尚未校验过审计链" in page
    response = client.post(reverse("audit:verify"), follow=True)
    html = response.content.decode()
    assert 'data-testid="chain-whole"' in html and "审计链完整" in html
    check = ChainCheck.objects.get()
    assert check.whole and check.by == "auditor" and check.rows == AuditEntry.objects.count() - 1
    logged = AuditEntry.objects.filter(action="audit.chain.verify").get()
    assert logged.success and logged.after["whole"] is True
    # Someone with database rights changes a row: the next check names it on the page.
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET detail = 'x' WHERE id = %s", [log["save_b"].pk])
    triggers.install(connection)
    html = client.post(reverse("audit:verify"), follow=True).content.decode()
    assert 'data-testid="chain-broken"' in html
    assert reverse("audit:detail", args=[log["save_b"].pk]) in html
    assert not ChainCheck.objects.order_by("-id").first().whole
    assert not AuditEntry.objects.filter(action="audit.chain.verify").order_by("-id").first().success


@pytest.mark.parametrize("who", ["reporter_a", "office", "sysadmin", "secadmin", "leader"])
def test_everyone_but_the_auditor_is_refused(client_for, world, log, who):
    client = client_for(world[who])
    assert client.get(reverse("audit:list")).status_code == 403
    assert client.get(reverse("audit:detail", args=[log["save_a"].pk])).status_code == 403
    assert client.get(reverse("audit_export:xlsx")).status_code == 403
    assert client.post(reverse("audit:verify")).status_code == 403
    assert not ChainCheck.objects.exists()
    # Each refusal is itself logged.
    assert AuditEntry.objects.filter(action="access.denied", username=world[who].username).count() == 4


def test_a_missing_row_is_404_for_the_auditor(client_for, world):
    assert client_for(world["auditor"]).get(reverse("audit:detail", args=[99999999])).status_code == 404
