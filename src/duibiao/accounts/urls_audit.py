"""/audit/: the audit log (names `audit:…`, as before the pages moved above the gate)."""

from django.urls import URLPattern, path

from duibiao.accounts.views import audit_log

app_name = "audit"
urlpatterns: list[URLPattern] = [
    path("", audit_log.audit_list_view, name="list"),
    path("<int:pk>/", audit_log.audit_detail_view, name="detail"),
    path("verify/", audit_log.audit_verify_view, name="verify"),
]
