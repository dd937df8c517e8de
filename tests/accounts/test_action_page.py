"""角色与权限: the security administrator reads the table of actions from his home page;
nobody else opens it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from duibiao.accounts.actions import ACTIONS, ROLE_ACTIONS
from duibiao.accounts.roles import Role


def test_the_secadmin_reaches_the_table_from_his_home(client_for, world):
    client = client_for(world["secadmin"])
    url = reverse("accounts:actions")
    assert f'href="{url}"' in client.get(reverse("web:home")).content.decode()
    page = client.get(url).content.decode()
    for action in ACTIONS.values():
        assert str(action.label) in page and f'data-testid="action-{action.name}"' in page
    for _code, label in Role.choices:
        assert str(label) in page


def test_each_cell_says_how_far_the_role_reaches(client_for, world):
    from duibiao.accounts.action_selectors import action_table

    table = action_table(user=world["secadmin"])
    columns = [code for code, _label in table.roles]
    rows = {row.action.name: dict(zip(columns, row.cells, strict=True))
            for group in table.groups for row in group.rows}
    assert rows["assessment.run.publish"] == {
        code: ("授权范围内" if code == Role.OFFICE else "") for code in columns}
    assert rows["assessment.submission.review"][Role.TASKFORCE] == "授权范围内本专班的指标"
    assert rows["org.tree.view"][Role.SYSADMIN] == "全部单位"
    assert rows["audit.log.view"][Role.AUDITOR] == "可以"
    held = sum(bool(cell) for row in rows.values() for cell in row.values())
    assert held == sum(len(actions) for actions in ROLE_ACTIONS.values())


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "office", "reporter_a", "leader"])
def test_nobody_else_opens_it(client_for, world, who):
    assert client_for(world[who]).get(reverse("accounts:actions")).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(reverse("accounts:actions"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_refusal_says_which_action_the_role_may_not_do(client_for, world):
    page = client_for(world["office"]).get(reverse("accounts:actions"))
    assert page.status_code == 403
    assert "您的角色不能查看角色与权限对照表。" in page.content.decode()
    api = client_for(world["reporter_a"]).get("/api/periods/calendar/years")
    assert api.status_code == 403
    assert api.json()["detail"] == "无权访问：您的角色不能维护节假日与调休表。"
