from django.urls import path

from duibiao.accounts.views import grants

app_name = "accounts"

urlpatterns: list = [
    # 角色授权: the security administrator grants and revokes roles
    path("grants/", grants.grant_list, name="grants"),
    path("grants/users/<int:pk>/", grants.grant_user, name="grant_user"),
    path("grants/<int:pk>/revoke/", grants.grant_revoke, name="grant_revoke"),
]
