"""/audit/export/: the audit log as Excel (documents writes it; the pages are accounts')."""

from django.urls import URLPattern, path

from duibiao.documents.views_audit import audit_export_view

app_name = "audit_export"
urlpatterns: list[URLPattern] = [path("", audit_export_view, name="xlsx")]
