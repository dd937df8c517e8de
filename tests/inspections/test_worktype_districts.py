"""Work types belong to a district: each district's office keeps its own list; another district's
office can neither see, rename nor switch off this district's types (on the page or through the
API: 404, as for a missing one), and a log cannot use another district's type."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.inspections.findings_world import insp  # noqa: F401  (fixture)
from tests.inspections.test_worklogs import work  # noqa: F401  (fixture)

API = "/api/inspections/work"


@pytest.fixture
def two(work):  # noqa: F811
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.inspections.services.worklogs import worktype_save

    w = work
    w["office_ng"] = user_create(actor=None, username="khb_ng", password=PASSWORD)
    role_grant(actor=None, user=w["office_ng"], role=Role.OFFICE, units=[w["other_district"]])
    # The same name is allowed in another district: the lists are the districts' own.
    w["ng_green"] = worktype_save(actor=w["office_ng"], name="清理绿地", unit_of_measure="万平方米")
    return w


def test_each_office_keeps_its_own_district_s_list(two):
    from duibiao.inspections.selectors.worklogs import active_types, all_types

    w = two
    assert (w["green"].district, w["ng_green"].district) == (w["district"], w["other_district"])
    assert set(all_types(user=w["office"])) == {w["green"], w["trash"]}
    assert set(all_types(user=w["office_ng"])) == {w["ng_green"]}
    # A street's reporter reads and logs with his district's types, not another district's.
    assert set(all_types(user=w["reporter_a"])) == {w["green"], w["trash"]}
    assert set(active_types(user=w["reporter_a"])) == {w["green"], w["trash"]}


def test_another_district_s_office_cannot_see_rename_or_switch_off_on_the_page(two, client_for):
    w = two
    url = reverse("inspections:worktypes")
    client = client_for(w["office_ng"])
    page = client.get(url)
    assert page.status_code == 200 and list(page.context["types"]) == [w["ng_green"]]
    assert "清运垃圾" not in page.content.decode()
    for body in ({"name": "改名了", "unit_of_measure": "吨", "order": "2", "active": "1"},  # rename
                 {"name": "清运垃圾", "unit_of_measure": "吨", "order": "2"}):  # switch off
        answer = client.post(url, {"pk": w["trash"].pk, "version": w["trash"].version, **body})
        assert answer.status_code == 404
    w["trash"].refresh_from_db()
    assert (w["trash"].name, w["trash"].active, w["trash"].version) == ("清运垃圾", True, 1)
    # The page of the statistics lists its own types only, in the filter and the record form.
    stats = client.get(reverse("inspections:worklogs"))
    assert list(stats.context["types"]) == [w["ng_green"]] and list(stats.context["record_types"]) == [w["ng_green"]]


def test_another_district_s_office_cannot_see_rename_or_switch_off_through_the_api(two, client_for):
    w = two
    client = client_for(w["office_ng"])
    listed = client.get(f"{API}/types")
    assert listed.status_code == 200 and [t["id"] for t in listed.json()["items"]] == [w["ng_green"].pk]
    for body in ({"name": "改名了", "unit_of_measure": "吨", "active": True},
                 {"name": "清运垃圾", "unit_of_measure": "吨", "active": False}):
        answer = client.put(f"{API}/types/{w['trash'].pk}", {**body, "version": 1}, content_type="application/json")
        assert answer.status_code == 404 and answer.json()["code"] == "not_found" and answer.json()["detail"]
    w["trash"].refresh_from_db()
    assert (w["trash"].name, w["trash"].active, w["trash"].version) == ("清运垃圾", True, 1)
    # Its own type it may change; the home office sees none of it.
    mine = client.put(f"{API}/types/{w['ng_green'].pk}", {"name": "清理绿地", "unit_of_measure": "平方米",
                                                          "active": False, "version": 1},
                      content_type="application/json")
    assert mine.status_code == 200 and mine.json()["active"] is False
    home = client_for(w["office"]).get(f"{API}/types").json()["items"]
    assert sorted(t["id"] for t in home) == sorted([w["green"].pk, w["trash"].pk])


def test_a_name_is_unique_within_its_district(two, client_for):
    answer = client_for(two["office_ng"]).post(f"{API}/types", {"name": "清理绿地", "unit_of_measure": "平方米"},
                                               content_type="application/json")
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["name"]


def test_a_log_cannot_use_another_district_s_type(two, client_for):
    from duibiao.inspections.models import WorkLog
    from duibiao.inspections.services.worklogs import WorkLogInput, worklog_record
    from duibiao.inspections.validation import InvalidValue

    w = two
    day = timezone.localdate().isoformat()
    with pytest.raises(InvalidValue) as caught:
        worklog_record(actor=w["reporter_a"], unit=w["a"], data=WorkLogInput(
            work_type=w["ng_green"], quantity="5", done_on=timezone.localdate()))
    assert caught.value.field == "work_type"
    client = client_for(w["reporter_a"])
    page = client.post(reverse("inspections:worklog_new"), {"unit": "jingyu", "work_type": w["ng_green"].pk,
                                                            "quantity": "5", "done_on": day})
    assert page.status_code == 422 and 'data-testid="error-work_type"' in page.content.decode()
    api = client.post(f"{API}/logs", {"unit": "jingyu", "work_type": w["ng_green"].pk, "quantity": "5",
                                      "done_on": day}, content_type="application/json")
    assert api.status_code == 422 and list(api.json()["errors"]) == ["work_type"]
    assert not WorkLog.objects.exists()
    # Nor may an existing log be moved onto it.
    log = worklog_record(actor=w["reporter_a"], unit=w["a"], data=WorkLogInput(
        work_type=w["green"], quantity="5", done_on=timezone.localdate()))
    moved = client.put(f"{API}/logs/{log.pk}", {"version": 1, "work_type": w["ng_green"].pk, "quantity": "6",
                                                 "done_on": day}, content_type="application/json")
    assert moved.status_code == 422 and list(moved.json()["errors"]) == ["work_type"]
    log.refresh_from_db()
    assert (log.work_type, log.version) == (w["green"], 1)
