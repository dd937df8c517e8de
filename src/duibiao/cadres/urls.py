"""干部考核 URLs. Mounted at /org/cadres/, where they were before cadres had an app of their
own, so bookmarks and the documentation keep working; the names live in the "cadres" namespace."""

from django.urls import path

from duibiao.cadres import views

app_name = "cadres"
urlpatterns = [
    path("", views.cadre_index, name="cadre_index"),
    path("lists/", views.cadre_lists, name="cadre_lists"),
    path("lists/<slug:kind>/export/", views.cadre_list_export, name="cadre_list_export"),
    path("<slug:code>/", views.cadre_register, name="cadre_register"),
    path("<slug:code>/add/", views.cadre_edit, name="cadre_add"),
    path("<slug:code>/<int:pk>/edit/", views.cadre_edit, name="cadre_edit"),
    path("<slug:code>/routine/", views.cadre_routine, name="cadre_routine"),
    path("<slug:code>/annual/", views.cadre_annual, name="cadre_annual"),
    path("<slug:code>/annual/quota/", views.cadre_quota, name="cadre_quota"),
]
