from django.urls import path

from duibiao.accounts.views import actions, grants, password, security, tokens

app_name = "accounts"

urlpatterns: list = [
    # 角色授权: the security administrator grants and revokes roles
    path("grants/", grants.grant_list, name="grants"),
    path("grants/users/<int:pk>/", grants.grant_user, name="grant_user"),
    path("grants/<int:pk>/revoke/", grants.grant_revoke, name="grant_revoke"),
    # 角色与权限: the table of actions, read-only (it is code)
    path("actions/", actions.action_table_view, name="actions"),
    # 修改密码: every user, his own
    path("password/", password.password_change_view, name="password_change"),
    # 接口令牌: every user, his own tokens for integrations
    path("tokens/", tokens.token_list_view, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke_view, name="token_revoke"),
    # 账号锁定与两步验证: the security administrator unlocks and resets second factors
    path("security/", security.security_view, name="security"),
    path("security/unlock/", security.unlock_view, name="unlock"),
    path("security/second-factor/<int:pk>/reset/", security.second_factor_reset_view,
         name="second_factor_reset"),
]
