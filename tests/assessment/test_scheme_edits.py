"""Form edits of the scheme document as services (new version, old kept, audit, conflicts,
office only) and the pages; the pure edits are tested in tests/schemes/test_edits.py."""

from __future__ import annotations

import pytest
import yaml

from duibiao.assessment.errors import AssessmentError, ConflictError
from duibiao.assessment.models import Indicator
from duibiao.assessment.services import scheme_edits as services
from duibiao.audit.models import AuditEntry
from duibiao.schemes import edits

# ---------------------------------------------------------------- services


def test_update_saves_a_new_version_and_keeps_the_old(assessed):
    scheme, office = assessed["scheme"], assessed["office"]
    v2 = services.scheme_indicator_update(actor=office, scheme=scheme, code="nl02",
                                          changes={"weight": 4, "taskforce": "zb2"}, based_on=1)
    assert v2.number == 2 and v2.note == "修改指标 nl02：权重 3→4；牵头专班 zb1→zb2"
    ind = v2.indicators.get(code="nl02")
    assert (ind.weight, ind.taskforce.code) == (4, "zb2")
    old = assessed["version"].indicators.get(code="nl02")
    assert (old.weight, old.taskforce.code) == (3, "zb1")
    assert "weight: 3" in assessed["version"].document  # the old text is untouched
    entry = AuditEntry.objects.get(action="scheme.indicator.update")
    assert entry.user == office and entry.before["weight"] == 3 and entry.after["weight"] == 4
    assert entry.after["version"] == 2
    assert AuditEntry.objects.filter(action="scheme.version", after__version=2).exists()


def test_create_remove_and_items(assessed):
    scheme, office = assessed["scheme"], assessed["office"]
    v2 = services.scheme_indicator_create(
        actor=office, scheme=scheme, parent="D2",
        fields={"code": "ys13", "name": "首席服务员制度", "weight": 1, "kind": "yes-no",
                "applies_to": {"units": ["jingyu"]}, "method": "binary", "params": {}}, based_on=1)
    ind = v2.indicators.get(code="ys13")
    assert ind.item_kind == Indicator.ItemKind.SPECIFIC and ind.ancestors == ["优化营商环境"]
    v3 = services.scheme_indicator_remove(actor=office, scheme=scheme, code="ys13", based_on=2)
    assert not v3.indicators.filter(code="ys13").exists()
    v4 = services.scheme_adjustment_save(actor=office, scheme=scheme, code=None, based_on=3, fields={
        "code": "jl04", "name": "区级表彰", "type": "bonus", "points": 0.5})
    assert v4.indicators.get(code="jl04").item_kind == Indicator.ItemKind.BONUS
    v5 = services.scheme_veto_save(actor=office, scheme=scheme, code="fj01", based_on=4,
                                   fields={"effect": "zero"})
    assert "否决效果 cap_grade→zero" in v5.note
    v6 = services.scheme_dimension_points_set(actor=office, scheme=scheme, points={"D1": 35, "D3": 35},
                                              based_on=5)
    assert v6.note == "修改维度分值：D1 30→35；D3 40→35"
    assert scheme.versions.count() == 6


def test_a_conflicting_edit_is_refused(assessed):
    scheme, office = assessed["scheme"], assessed["office"]
    services.scheme_indicator_update(actor=office, scheme=scheme, code="nl02", changes={"weight": 4}, based_on=1)
    with pytest.raises(ConflictError, match="第 2 版"):
        services.scheme_indicator_update(actor=office, scheme=scheme, code="nl03", changes={"weight": 4},
                                         based_on=1)
    assert scheme.versions.count() == 2


def test_bad_edits_change_nothing(assessed):
    scheme, office = assessed["scheme"], assessed["office"]
    with pytest.raises(AssessmentError, match="没有代码为 nl99"):
        services.scheme_indicator_update(actor=office, scheme=scheme, code="nl99", changes={"weight": 1},
                                         based_on=1)
    assert scheme.versions.count() == 1 and not AuditEntry.objects.filter(action__startswith="scheme.indicator")


def test_only_the_office_may_edit(assessed):
    from django.core.exceptions import PermissionDenied

    for who in ("reporter_a", "taskforce", "leader"):
        with pytest.raises(PermissionDenied):
            services.scheme_indicator_update(actor=assessed[who], scheme=assessed["scheme"], code="nl02",
                                             changes={"weight": 4}, based_on=1)
    assert assessed["scheme"].versions.count() == 1


def test_preview_finds_points_that_stop_adding_up(assessed):
    scheme, office = assessed["scheme"], assessed["office"]
    # D1 adds up only when nl09 applies to every unit; then nl02 3→4 makes it 31.
    services.scheme_indicator_update(actor=office, scheme=scheme, code="nl09",
                                     changes={"applies_to": {}}, based_on=1)
    findings = services.scheme_indicator_preview(actor=office, scheme=scheme, code="nl02", parent="D1",
                                                 fields={"weight": 4})
    assert any(f.level == "warning" and "下级指标分值合计 31" in f.message for f in findings)
    assert scheme.versions.count() == 2  # nothing saved by the preview


# ---------------------------------------------------------------- pages


def form_data(**over):
    data = {
        "based_on": "1", "name": "督查问题整改率", "parent": "D1", "weight": "3", "taskforce": "zb1",
        "item_kind": "common", "kind": "percent", "method": "target", "direction": "higher",
        "unit_of_measure": "%", "source": "区委督查室督查台账", "standard": "已销号问题数/应整改问题数，完成率×分值。",
        "p_target": "100", "p_cap": "", "p_floor": "",
    }
    data.update(over)
    return data


def test_form_page_saves_a_version(assessed, client_for):
    client = client_for(assessed["office"])
    page = client.get("/assessment/schemes/daowai-2023/indicators/nl02/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "督查问题整改率" in body and "能力作风专班" in body and "靖宇街道" in body
    detail = client.get("/assessment/schemes/daowai-2023/").content.decode()
    assert 'data-testid="edit-nl02"' in detail and "新增否决事项" in detail
    response = client.post("/assessment/schemes/daowai-2023/indicators/nl02/",
                           form_data(weight="4", taskforce="zb2", item_kind="specific", units=["jingyu"]))
    assert response.status_code == 302
    ind = assessed["scheme"].versions.get(number=2).indicators.get(code="nl02")
    assert (ind.weight, ind.taskforce.code, ind.applies_units, ind.item_kind) == (4, "zb2", ["jingyu"], "specific")
    doc = yaml.safe_load(assessed["scheme"].versions.get(number=2).document)
    assert "direction" not in edits.find_node(doc, "nl02")[0]  # the default stays implicit


def test_form_errors_and_stale_version(assessed, client_for):
    client = client_for(assessed["office"])
    url = "/assessment/schemes/daowai-2023/indicators/nl02/"
    body = client.post(url, form_data(p_target="", item_kind="specific")).content.decode()
    assert "该计分方法必须填写此项" in body and "个性指标请至少选择一个单位" in body
    client.post(url, form_data(weight="4"))
    body = client.post(url, form_data(weight="5")).content.decode()  # still based on version 1
    assert "方案已被他人保存为第 2 版" in body
    assert assessed["scheme"].versions.count() == 2


def test_live_check_and_params_swap(assessed, client_for):
    client = client_for(assessed["office"])
    check = client.post("/assessment/schemes/daowai-2023/indicators/nl02/check/", form_data(p_target=""))
    assert "该计分方法必须填写此项" in check.content.decode()
    check = client.post("/assessment/schemes/daowai-2023/indicators/nl02/check/", form_data())
    assert "方案文档校验通过" in check.content.decode()
    params = client.get("/assessment/schemes/daowai-2023/indicators/nl02/params/", {"method": "goalposts"})
    assert 'name="p_threshold"' in params.content.decode() and 'name="p_cap"' not in params.content.decode()
    assert params["HX-Trigger-After-Settle"] == "params-swapped"
    assert assessed["scheme"].versions.count() == 1


def test_new_indicator_item_and_dimension_pages(assessed, client_for):
    client = client_for(assessed["office"])
    assert client.get("/assessment/schemes/daowai-2023/indicators/new/?parent=D3").status_code == 200
    response = client.post("/assessment/schemes/daowai-2023/indicators/new/",
                           form_data(code="gz19", name="新增指标", parent="D3", weight="1", based_on="1"))
    assert response.status_code == 302
    response = client.post("/assessment/schemes/daowai-2023/vetoes/new/", {
        "based_on": "2", "code": "fj04", "name": "环保督察问题", "effect": "cap_grade", "grade": "一般"})
    assert response.status_code == 302
    assert client.get("/assessment/schemes/daowai-2023/adjustments/jl01/").status_code == 200
    response = client.post("/assessment/schemes/daowai-2023/dimensions/", {"based_on": "3", "points_D1": "30",
                                                                           "points_D2": "30", "points_D3": "40"})
    assert response.status_code == 302
    check = client.post("/assessment/schemes/daowai-2023/dimensions/check/", {"points_D1": "x"})
    assert "不是数字" in check.content.decode()
    version = assessed["scheme"].versions.get(number=4)
    assert {"gz19", "fj04"} <= set(version.indicators.values_list("code", flat=True))
    response = client.post("/assessment/schemes/daowai-2023/vetoes/fj04/remove/", {"based_on": "4"})
    assert not assessed["scheme"].versions.get(number=5).indicators.filter(code="fj04").exists()


def test_a_reporter_is_refused(assessed, client_for):
    client = client_for(assessed["reporter_a"])
    assert client.get("/assessment/schemes/daowai-2023/indicators/nl02/").status_code == 403
    assert client.post("/assessment/schemes/daowai-2023/indicators/nl02/", form_data(weight="9")).status_code == 403
    assert client.post("/assessment/schemes/daowai-2023/indicators/nl02/check/", form_data()).status_code == 403
    assert client.post("/assessment/schemes/daowai-2023/vetoes/fj01/remove/", {"based_on": "1"}).status_code == 403
    assert 'data-testid="edit-nl02"' not in client.get("/assessment/schemes/daowai-2023/").content.decode()
    assert assessed["scheme"].versions.count() == 1
