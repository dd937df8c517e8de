"""Each role's home page shows that role's way in; Chinese first, English available."""

from __future__ import annotations

from django.urls import reverse


def test_reporter_home_shows_its_unit_and_reporting(client_for, world):
    text = client_for(world["reporter_a"]).get(reverse("web:home")).content.decode()
    assert "靖宇街道" in text
    assert "数据填报" in text and 'href="/assessment/report/"' in text
    assert "审计日志" not in text and "系统管理" not in text


def test_office_home_lists_office_tools(client_for, world):
    text = client_for(world["office"]).get(reverse("web:home")).content.decode()
    for label in ("单位名录", "填报进度", "计分排名", "通报"):
        assert label in text
    assert "可查看 4 个单位" in text


def test_auditor_home_shows_recent_audit(client_for, world):
    text = client_for(world["auditor"]).get(reverse("web:home")).content.decode()
    assert "最近操作" in text and "role.grant" in text


def test_taskforce_home_names_its_task_force(client_for, world):
    text = client_for(world["taskforce"]).get(reverse("web:home")).content.decode()
    assert "能力作风建设考核评价专班" in text


def test_english_is_switchable(client, world):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get(reverse("web:login")).content.decode()
    assert "Sign in" in text and 'lang="en"' in text


def test_scheme_headers_visible_to_units_of_the_district(client_for, world):
    from duibiao.assessment.models import Dimension, Scheme

    scheme = Scheme.objects.create(code="s", name="道外区2023年度方案", year=2023, district=world["district"])
    Dimension.objects.create(scheme=scheme, code="d1", name="优化营商环境", weight=30)
    assert "优化营商环境" in client_for(world["reporter_a"]).get(reverse("web:schemes")).content.decode()
    outsider = world["other_district"]
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create

    user = user_create(actor=None, username="ng", password="Xx@12345678", unit=outsider)
    role_grant(actor=None, user=user, role=Role.REPORTER, units=[outsider])
    assert "优化营商环境" not in client_for(user).get(reverse("web:schemes")).content.decode()
