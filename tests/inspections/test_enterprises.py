"""一企一档一清单: the credit code checked once for every way in, the file and its risk list,
versions, and who may read or keep which files (each attack performed and refused)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.inspections.findings_world import insp  # noqa: F401  (fixture)

VALID = "91230104MA1B2C3D43"
OTHER = "92230104MA1BX0K7XC"


def _data(w, **over):
    from duibiao.inspections.services.enterprises import EnterpriseInput

    fields = {"credit_code": VALID, "name": "哈尔滨市道外区老鼎丰餐饮店", "unit": w["a"], "kind": "餐饮服务",
              "address": "靖宇街 88 号", "contact": "王经理", "phone": "0451-88888888"}
    fields.update(over)
    return EnterpriseInput(**fields)


@pytest.fixture
def shop(insp):  # noqa: F811
    from duibiao.inspections.services.enterprises import enterprise_create

    insp["shop"] = enterprise_create(actor=insp["inspector"], data=_data(insp))
    return insp


@pytest.mark.parametrize(("code", "message"), [
    ("", "请填写统一社会信用代码"),
    ("91230104MA1B2C3D4", "应为18位"),
    ("91230104MA1B2C3D44", "第18位校验码应为3"),
    ("91230104MA1B2C3DI3", "不是统一社会信用代码使用的字符"),
])
def test_a_bad_credit_code_is_refused_with_its_reason(insp, code, message):  # noqa: F811
    from duibiao.inspections.models import Enterprise
    from duibiao.inspections.services.enterprises import enterprise_create
    from duibiao.inspections.validation import InvalidValue

    with pytest.raises(InvalidValue) as caught:
        enterprise_create(actor=insp["inspector"], data=_data(insp, credit_code=code))
    assert caught.value.field == "credit_code" and message in str(caught.value)
    assert not Enterprise.objects.exists()


def test_a_code_typed_in_full_width_is_stored_normalised_and_only_once(shop):
    from duibiao.inspections.services.enterprises import enterprise_create
    from duibiao.inspections.validation import InvalidValue

    assert shop["shop"].credit_code == VALID
    with pytest.raises(InvalidValue, match="已登记为“哈尔滨市道外区老鼎丰餐饮店”"):
        enterprise_create(actor=shop["office"], data=_data(shop, credit_code=" ９１２３０１０４ＭＡ１Ｂ２Ｃ３Ｄ４３ "))


def test_the_form_shows_the_check_digit_error_beside_the_field_and_keeps_the_text(insp, client_for):  # noqa: F811
    from duibiao.inspections.models import Enterprise

    page = client_for(insp["inspector"]).post(reverse("inspections:enterprise_new"), {
        "credit_code": "91230104MA1B2C3D44", "name": "某某超市", "unit": "jingyu"})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'data-testid="error-credit_code"' in html and "第18位校验码应为3" in html
    assert 'value="某某超市"' in html and not Enterprise.objects.exists()
    done = client_for(insp["inspector"]).post(reverse("inspections:enterprise_new"), {
        "credit_code": OTHER, "name": "某某超市", "unit": "jingyu"})
    assert done.status_code == 302 and Enterprise.objects.get().credit_code == OTHER


def test_a_unit_outside_the_grant_cannot_be_given_a_file(insp, client_for):  # noqa: F811
    from duibiao.inspections.models import Enterprise

    # inspector_b holds unit B only: unit A is not among his choices, so the file is refused.
    page = client_for(insp["inspector_b"]).post(reverse("inspections:enterprise_new"), {
        "credit_code": OTHER, "name": "某某超市", "unit": "jingyu"})
    assert page.status_code == 422 and "请选择属地单位" in page.content.decode()
    # A reporter keeps no files at all.
    assert client_for(insp["reporter_a"]).post(reverse("inspections:enterprise_new"), {
        "credit_code": OTHER, "name": "某某超市", "unit": "jingyu"}).status_code == 403
    assert not Enterprise.objects.exists()


def test_the_file_lists_its_findings_campaigns_and_risks(shop, client_for):
    from duibiao.inspections.models import Finding

    w = shop
    Finding.objects.create(campaign=w["campaign"], description="后厨卫生不达标", category="食品安全", address="靖宇街88号",
                           enterprise=w["shop"], unit=w["a"], found_on=date(2026, 10, 9), workdays=5,
                           deadline=date(2026, 10, 16))
    page = client_for(w["reporter_a"]).get(reverse("inspections:enterprise", args=[w["shop"].pk]))
    assert page.status_code == 200
    file = page.context["file"]
    assert [c.name for c in file.campaigns] == ["2026年秋季城市管理检查"]
    assert [f.category for f in file.findings] == ["食品安全"] and file.findings_open == 1
    assert not file.can_edit and 'data-testid="risk-add"' not in page.content.decode()
    # Unit B's people do not see unit A's enterprise: not in the list, 404 on its page.
    assert client_for(w["reporter_b"]).get(reverse("inspections:enterprise", args=[w["shop"].pk])).status_code == 404
    listing = client_for(w["reporter_b"]).get(reverse("inspections:enterprises"))
    assert VALID not in listing.content.decode()
    assert VALID in client_for(w["leader"]).get(reverse("inspections:enterprises")).content.decode()


def test_risks_are_listed_and_moved_through_their_states(shop, client_for):
    from duibiao.inspections.models import RiskItem

    w = shop
    client = client_for(w["inspector"])
    url = reverse("inspections:risk_add", args=[w["shop"].pk])
    today = timezone.localdate()
    bad = client.post(url, {"text": "燃气管道老化", "level": "major",
                            "identified_on": (today + timedelta(days=1)).isoformat()})
    assert bad.status_code == 422 and 'data-testid="error-risk_identified_on"' in bad.content.decode()
    assert client.post(url, {"text": "燃气管道老化", "level": "major", "identified_on": today.isoformat(),
                             "due_on": (today + timedelta(days=10)).isoformat()}).status_code == 302
    risk = RiskItem.objects.get()
    assert (risk.status, risk.level, risk.recorded_by) == ("open", "major", w["inspector"])
    status_url = reverse("inspections:risk_status", args=[w["shop"].pk, risk.pk])
    # Controlling a risk needs its measures, shown beside the list.
    refused = client.post(status_url, {"version": risk.version, "status": "controlled", "measures": ""})
    assert refused.status_code == 422 and "请填写管控措施" in refused.content.decode()
    assert client.post(status_url, {"version": risk.version, "status": "controlled",
                                    "measures": "更换燃气管道，安装报警器"}).status_code == 302
    risk.refresh_from_db()
    assert (risk.status, risk.controlled_on, risk.version) == ("controlled", today, 2)
    stale = client.post(status_url, {"version": 1, "status": "closed"})
    assert stale.status_code == 409
    risk.refresh_from_db()
    assert risk.status == "controlled"
    # Another unit's inspector may not touch it.
    assert client_for(w["inspector_b"]).post(status_url, {"version": 2, "status": "closed"}).status_code == 404
    assert client.post(status_url, {"version": 2, "status": "closed"}).status_code == 302
    risk.refresh_from_db()
    assert (risk.status, risk.closed_on) == ("closed", today)


def test_a_file_edit_needs_the_version_it_read(shop, client_for):
    w = shop
    url = reverse("inspections:enterprise_edit", args=[w["shop"].pk])
    values = {"credit_code": VALID, "name": "老鼎丰（靖宇店）", "unit": "jingyu"}
    client = client_for(w["office"])
    assert client.post(url, {**values, "version": 1}).status_code == 302
    again = client.post(url, {**values, "name": "旧名称", "version": 1})
    assert again.status_code == 409 and "已被他人修改" in again.content.decode()
    w["shop"].refresh_from_db()
    assert (w["shop"].name, w["shop"].version) == ("老鼎丰（靖宇店）", 2)
    assert client.post(url, values).status_code == 400  # no version at all
