"""干部考核 URLs, included under /org/cadres/ (names live in the "org" namespace)."""

from django.urls import path

from duibiao.org import cadre_views as views

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
