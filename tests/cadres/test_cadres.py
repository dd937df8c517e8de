"""Cadre register and grades: services (audited, office only), the rules end to end, and the
gate — the office and the unit's own head see cadres; reporters, task forces, leaders and
other units' heads are refused, on pages and in the API."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from duibiao.audit.models import AuditEntry
from duibiao.cadres import services as svc
from duibiao.cadres.models import Cadre, CadreAnnualGrade, CadreQuotaApproval, CadreRoutineGrade
from tests.cadres.conftest import YEAR


def actions(prefix="cadre."):
    return list(AuditEntry.objects.filter(action__startswith=prefix).values_list("action", flat=True))


def propose_all_excellent(c, grades_of_a=None):
    entries = [svc.CadreYearInput(cadre_id=x.pk, proposed="优秀", score=90 - i,
                                  indicators={"party": 90, "development": 88, "capability": 80 + i})
               for i, x in enumerate(c["cadres_a"])]
    svc.cadre_year_save(actor=c["office"], unit=c["a"], year=YEAR, entries=entries)


# ---- services -----------------------------------------------------------------------------

def test_create_and_update_are_audited(cadres):
    assert actions().count("cadre.create") == 6
    cadre = cadres["cadres_a"][2]
    svc.cadre_update(actor=cadres["office"], cadre=cadre, expected_version=1, name="张志刚", position="主任",
                     rank="正科级", gender="男", birth_month=date(1993, 1, 15))
    cadre.refresh_from_db()
    assert cadre.position == "主任" and cadre.birth_month == date(1993, 1, 1) and cadre.version == 2
    entry = AuditEntry.objects.get(action="cadre.update")
    assert entry.before["position"] == "副主任" and entry.after["position"] == "主任"
    assert entry.unit == cadres["a"] and entry.user == cadres["office"]


@pytest.mark.parametrize("who", ["head_a", "reporter_a", "taskforce", "leader"])
def test_only_the_office_writes(cadres, who):
    with pytest.raises((PermissionDenied, Http404)):
        svc.cadre_create(actor=cadres[who], unit=cadres["a"], name="某某", position="科员", rank="科员",
                         gender="男", birth_month=date(1990, 1, 1))
    with pytest.raises((PermissionDenied, Http404)):
        svc.cadre_quota_set(actor=cadres[who], unit=cadres["a"], year=YEAR, approved=True)
    assert Cadre.objects.count() == 6 and not CadreQuotaApproval.objects.exists()


def test_bad_input_is_refused(cadres):
    with pytest.raises(svc.CadreInputError):
        svc.cadre_create(actor=cadres["office"], unit=cadres["a"], name="某某", position="科员", rank="处长",
                         gender="男", birth_month=date(1990, 1, 1))
    other = cadres["cadres_b"][0]
    with pytest.raises(svc.CadreInputError):  # a cadre of another unit in this unit's sheet
        svc.cadre_routine_grades_set(actor=cadres["office"], unit=cadres["a"], year=YEAR,
                                     grades={(other.pk, 1): "好"})
    with pytest.raises(svc.CadreInputError):
        svc.cadre_year_save(actor=cadres["office"], unit=cadres["a"], year=YEAR, entries=[
            svc.CadreYearInput(cadre_id=cadres["cadres_a"][0].pk, indicators={"capability": 101})])
    assert not CadreRoutineGrade.objects.exists()


def test_routine_grades_set_change_and_clear_in_one_audit_row(cadres):
    c0, c1 = cadres["cadres_a"][:2]
    office = cadres["office"]
    n = svc.cadre_routine_grades_set(actor=office, unit=cadres["a"], year=YEAR,
                                     grades={(c0.pk, 1): "好", (c0.pk, 2): "一般", (c1.pk, 1): "较好"})
    assert n == 3 and CadreRoutineGrade.objects.count() == 3
    n = svc.cadre_routine_grades_set(actor=office, unit=cadres["a"], year=YEAR,
                                     grades={(c0.pk, 1): "好", (c0.pk, 2): "", (c1.pk, 1): "好"})
    assert n == 2 and CadreRoutineGrade.objects.count() == 2
    assert actions().count("cadre.routine_set") == 2


def test_rules_apply_quota_and_routine_limit(cadres):
    a = cadres["cadres_a"]
    svc.cadre_routine_grades_set(actor=cadres["office"], unit=cadres["a"], year=YEAR,
                                 grades={(a[0].pk, 3): "一般"})
    propose_all_excellent(cadres)
    result = svc.cadre_rules_apply(actor=cadres["office"], unit=cadres["a"], year=YEAR)
    assert result.quotas == {"jingyu": 1}  # 20 % of 5
    finals = {g.cadre.name: (g.final, g.reason) for g in CadreAnnualGrade.objects.select_related("cadre")}
    assert finals["王建华"] == ("称职", "平时考核一般及以下1次，年度不得评为优秀")
    assert finals["李丽娜"] == ("优秀", "")  # next best score keeps the one place
    assert all(finals[x.name] == ("称职", "超出优秀比例") for x in a[2:])
    entry = AuditEntry.objects.get(action="cadre.rules_apply")
    assert entry.after["李丽娜"]["final"] == "优秀" and "优秀限额1名" in entry.detail


def test_quota_approval_is_audited_and_changes_the_quota(cadres):
    propose_all_excellent(cadres)
    # 8 cadres would give 2 at 25 %; with 5 it stays 1 — add three
    for name in ("周春生", "吴红霞", "郑文博"):
        x = svc.cadre_create(actor=cadres["office"], unit=cadres["a"], name=name, position="科员", rank="科员",
                             gender="男", birth_month=date(1995, 1, 1))
        svc.cadre_year_save(actor=cadres["office"], unit=cadres["a"], year=YEAR,
                            entries=[svc.CadreYearInput(cadre_id=x.pk, proposed="称职")])
    assert svc.cadre_rules_apply(actor=cadres["office"], unit=cadres["a"], year=YEAR).quotas == {"jingyu": 1}
    svc.cadre_quota_set(actor=cadres["office"], unit=cadres["a"], year=YEAR, approved=True, note="组织部批复")
    approval = CadreQuotaApproval.objects.get()
    assert approval.approved_by == cadres["office"] and approval.note == "组织部批复"
    result = svc.cadre_rules_apply(actor=cadres["office"], unit=cadres["a"], year=YEAR)
    assert result.quotas == {"jingyu": 2} and result.final.count("优秀") == 2
    svc.cadre_quota_set(actor=cadres["office"], unit=cadres["a"], year=YEAR, approved=False)
    assert not CadreQuotaApproval.objects.exists()
    assert actions().count("cadre.quota_approve") == 1 and actions().count("cadre.quota_withdraw") == 1


def test_changing_a_proposal_clears_its_final(cadres):
    propose_all_excellent(cadres)
    svc.cadre_rules_apply(actor=cadres["office"], unit=cadres["a"], year=YEAR)
    x = cadres["cadres_a"][4]
    svc.cadre_year_save(actor=cadres["office"], unit=cadres["a"], year=YEAR,
                        entries=[svc.CadreYearInput(cadre_id=x.pk, proposed="称职", score=86)])
    grade = CadreAnnualGrade.objects.get(cadre=x)
    assert grade.proposed == "称职" and grade.final == "" and grade.reason == ""


# ---- pages ------------------------------------------------------------------------------


def test_saving_the_sheet_and_applying_the_rules_is_one_transaction(cadres, monkeypatch):
    """The annual page's save-and-apply is one service: when applying fails, the entries are
    not left saved with stale final grades either."""
    entries = [svc.CadreYearInput(cadre_id=x.pk, proposed="优秀", score=90) for x in cadres["cadres_a"]]

    def broken(*args, **kwargs):
        raise svc.CadreInputError("规则无法应用")

    monkeypatch.setattr(svc.engine, "cadre_grades", broken)
    with pytest.raises(svc.CadreInputError):
        svc.cadre_year_submit(actor=cadres["office"], unit=cadres["a"], year=YEAR, entries=entries, apply_rules=True)
    assert not CadreAnnualGrade.objects.exists() and "cadre.year_save" not in actions()
    monkeypatch.undo()
    result = svc.cadre_year_submit(actor=cadres["office"], unit=cadres["a"], year=YEAR, entries=entries,
                                   apply_rules=True)
    assert result is not None and result.quotas == {"jingyu": 1}
    assert actions().count("cadre.year_save") == 1 and actions().count("cadre.rules_apply") == 1
    assert svc.cadre_year_submit(actor=cadres["office"], unit=cadres["a"], year=YEAR, entries=entries,
                                 apply_rules=False) is None


def test_office_pages_and_apply(client_for, cadres):
    client = client_for(cadres["office"])
    code = "jingyu"
    assert "王建华" in client.get(reverse("cadres:cadre_register", args=[code])).content.decode()
    index = client.get(reverse("cadres:cadre_index")).content.decode()
    assert "靖宇街道" in index and "太古街道" in index
    response = client.post(reverse("cadres:cadre_add", args=[code]), {
        "name": "孙晓东", "position": "副主任", "rank": "副科级", "gender": "男", "birth_month": "1994-07",
        "order": 9})
    assert response.status_code == 302 and Cadre.objects.get(name="孙晓东").birth_month == date(1994, 7, 1)
    a = cadres["cadres_a"]
    response = client.post(f"{reverse('cadres:cadre_routine', args=[code])}?year={YEAR}",
                           {f"g-{a[0].pk}-1": "一般", f"g-{a[0].pk}-2": "一般", f"g-{a[1].pk}-1": "好"})
    assert response.status_code == 302 and CadreRoutineGrade.objects.count() == 3
    data = {"year": YEAR, "apply": "1"}
    for i, x in enumerate(a):
        data |= {f"p-{x.pk}": "优秀", f"s-{x.pk}": "", f"i-{x.pk}-party": "90",
                 f"i-{x.pk}-development": "85", f"i-{x.pk}-capability": str(70 + i)}
    response = client.post(reverse("cadres:cadre_annual", args=[code]), data, follow=True)
    text = response.content.decode()
    assert "已应用考核规则" in text and "平时考核一般及以下2次，年度不得评为称职" in text
    assert "超出优秀比例" in text
    assert CadreAnnualGrade.objects.get(cadre=a[0]).final == "基本称职"
    assert CadreAnnualGrade.objects.get(cadre=a[4]).final == "优秀"  # highest mean score


def test_unit_head_reads_own_unit_only(client_for, cadres):
    client = client_for(cadres["head_a"])
    response = client.get(reverse("cadres:cadre_index"))
    assert response.status_code == 302 and response.url.endswith("/org/cadres/jingyu/")
    page = client.get(reverse("cadres:cadre_register", args=["jingyu"])).content.decode()
    assert "王建华" in page and "杨国庆" not in page and "登记干部" not in page
    annual = client.get(reverse("cadres:cadre_annual", args=["jingyu"])).content.decode()
    assert "应用考核规则" not in annual
    assert client.get(reverse("cadres:cadre_register", args=["taigu"])).status_code == 404
    x = cadres["cadres_a"][0]
    assert client.post(reverse("cadres:cadre_annual", args=["jingyu"]),
                       {"year": YEAR, f"p-{x.pk}": "优秀", "apply": "1"}).status_code == 403
    assert client.post(reverse("cadres:cadre_quota", args=["jingyu"]), {"year": YEAR, "approved": "1"}).status_code == 403
    assert client.get(reverse("cadres:cadre_edit", args=["jingyu", x.pk])).status_code == 403
    assert not CadreAnnualGrade.objects.exists() and not CadreQuotaApproval.objects.exists()


@pytest.mark.parametrize("who", ["reporter_a", "reporter_b", "taskforce", "leader", "sysadmin", "auditor"])
def test_others_are_refused_on_pages(client_for, cadres, who):
    client = client_for(cadres[who])
    assert client.get(reverse("cadres:cadre_index")).status_code == 403
    assert client.get(reverse("cadres:cadre_lists")).status_code == 403
    assert client.get(reverse("cadres:cadre_list_export", args=["award"])).status_code == 403
    for name in ("cadre_register", "cadre_routine", "cadre_annual"):
        assert client.get(reverse(f"cadres:{name}", args=["jingyu"])).status_code == 404
    x = cadres["cadres_a"][0]
    assert client.post(reverse("cadres:cadre_routine", args=["jingyu"]), {f"g-{x.pk}-1": "较差"}).status_code == 404
    assert not CadreRoutineGrade.objects.exists()


def test_head_of_another_unit_is_refused(client_for, cadres):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create

    head_b = user_create(actor=None, username="fzr_b", password="Test@Pass2026", unit=cadres["b"])
    role_grant(actor=None, user=head_b, role=Role.UNIT_HEAD, units=[cadres["b"]], include_subtree=False)
    client = client_for(head_b)
    assert client.get(reverse("cadres:cadre_register", args=["jingyu"])).status_code == 404
    assert client.get(reverse("cadres:cadre_annual", args=["jingyu"])).status_code == 404
    assert "杨国庆" in client.get(reverse("cadres:cadre_register", args=["taigu"])).content.decode()
    assert client.get("/api/cadres/units/jingyu/cadres").status_code == 404
    assert client.get(f"/api/cadres/units/jingyu/years/{YEAR}").status_code == 404
    assert [c["name"] for c in client.get("/api/cadres/units/taigu/cadres").json()["items"]] == ["杨国庆"]


def test_nav_entry_for_office_and_head_only(client_for, cadres):
    from duibiao.web.navigation import items_for

    labels = lambda roles: [str(i.label) for i in items_for(frozenset(roles))]  # noqa: E731
    assert "干部考核" in labels({"office"}) and "干部考核" in labels({"unit_head"})
    assert "干部考核" not in labels({"reporter"}) and "干部考核" not in labels({"taskforce"})


# ---- API ----------------------------------------------------------------------------------

def test_api_office_round_trip(client_for, cadres):
    client = client_for(cadres["office"])
    response = client.post("/api/cadres/units/jingyu/cadres", {
        "name": "孙晓东", "position": "副主任", "rank": "副科级", "gender": "男", "birth_month": "1994-07-01"},
        content_type="application/json")
    assert response.status_code == 201 and response.json()["unit"] == "jingyu"
    a = cadres["cadres_a"]
    response = client.put(f"/api/cadres/units/jingyu/years/{YEAR}/routine",
                          [{"cadre_id": a[1].pk, "quarter": 2, "grade": "较差"}], content_type="application/json")
    assert response.status_code == 200
    entries = [{"cadre_id": x.pk, "proposed": "优秀", "score": 90 - i} for i, x in enumerate(a)]
    sheet = client.put(f"/api/cadres/units/jingyu/years/{YEAR}/annual", entries,
                       content_type="application/json").json()
    assert sheet["quota"] == 1  # 5 proposed → 20 % floor
    sheet = client.post(f"/api/cadres/units/jingyu/years/{YEAR}/apply").json()
    finals = {r["cadre"]["name"]: (r["final"], r["reason"]) for r in sheet["rows"]}
    assert finals["王建华"] == ("优秀", "")
    assert finals["李丽娜"] == ("称职", "平时考核一般及以下1次，年度不得评为优秀")
    assert finals["张志刚"] == ("称职", "超出优秀比例")
    sheet = client.put(f"/api/cadres/units/jingyu/years/{YEAR}/quota", {"approved": True, "note": "批复"},
                       content_type="application/json").json()
    assert sheet["quota_approved"] is True
    bad = client.put(f"/api/cadres/units/jingyu/years/{YEAR}/routine",
                     [{"cadre_id": a[1].pk, "quarter": 2, "grade": "差"}], content_type="application/json")
    assert bad.status_code == 422


def test_api_head_reads_but_cannot_write(client_for, cadres):
    client = client_for(cadres["head_a"])
    assert len(client.get("/api/cadres/units/jingyu/cadres").json()["items"]) == 5
    assert client.get("/api/cadres/units/taigu/cadres").status_code == 404
    x = cadres["cadres_a"][0]
    assert client.post(f"/api/cadres/units/jingyu/years/{YEAR}/apply").status_code == 403
    assert client.put(f"/api/cadres/units/jingyu/years/{YEAR}/routine",
                      [{"cadre_id": x.pk, "quarter": 1, "grade": "较差"}],
                      content_type="application/json").status_code == 403
    assert client.put(f"/api/cadres/cadres/{x.pk}", {"name": "x", "position": "x", "rank": "科员", "gender": "男",
                                                     "birth_month": "1990-01-01", "version": x.version},
                      content_type="application/json").status_code == 403
    assert not CadreRoutineGrade.objects.exists()


@pytest.mark.parametrize("who", ["reporter_a", "taskforce", "leader"])
def test_api_refuses_others(client_for, cadres, who):
    client = client_for(cadres[who])
    assert client.get("/api/cadres/units/jingyu/cadres").status_code == 404
    assert client.get(f"/api/cadres/units/jingyu/years/{YEAR}").status_code == 404
    assert client.get(f"/api/cadres/lists/award?year={YEAR}").status_code == 403
    assert client.get(f"/api/cadres/cadres/{cadres['cadres_a'][0].pk}").status_code in (404, 405)
    assert client.post("/api/cadres/units/jingyu/cadres", {
        "name": "x", "position": "x", "rank": "科员", "gender": "男", "birth_month": "1990-01-01"},
        content_type="application/json").status_code == 404
    assert Cadre.objects.count() == 6
