"""/org/: the unit directory (names `org:…`, as before the pages moved above the gate)."""

from django.urls import URLPattern, path

from duibiao.accounts.views import units

app_name = "org"
urlpatterns: list[URLPattern] = [
    path("units/", units.unit_list_view, name="unit_list"),
    path("units/mine/", units.my_unit, name="my_unit"),
    path("units/<slug:code>/", units.unit_detail, name="unit_detail"),
]
