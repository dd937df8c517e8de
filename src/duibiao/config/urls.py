from django.conf import settings
from django.conf.urls.static import static
from django.urls import URLPattern, URLResolver, include, path

from duibiao.accounts.admin_site import admin_site
from duibiao.api.app import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin_site.urls),
    path("api/", api.urls),
    path("accounts/", include("duibiao.accounts.urls")),
    path("org/cadres/", include("duibiao.cadres.urls")),
    path("org/", include("duibiao.accounts.urls_units")),
    path("audit/export/", include("duibiao.documents.urls_audit")),  # the log as Excel (documents)
    path("audit/", include("duibiao.accounts.urls_audit")),
    path("assessment/", include("duibiao.assessment.urls")),
    path("documents/", include("duibiao.documents.urls")),
    path("inspections/", include("duibiao.inspections.urls")),
    path("projects/dispatch/", include("duibiao.projects.urls_dispatch")),
    path("projects/", include("duibiao.projects.urls")),
    path("", include("duibiao.web.urls")),
]
# The error pages in the site layout, in Chinese, with the reason and a way back (web/errors.py).
handler400 = "duibiao.web.errors.bad_request"
handler403 = "duibiao.web.errors.permission_denied"
handler404 = "duibiao.web.errors.page_not_found"
handler500 = "duibiao.web.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
