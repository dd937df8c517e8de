from django.urls import path

from duibiao.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list_view, name="unit_list"),
    path("units/mine/", views.my_unit, name="my_unit"),
    path("units/<slug:code>/", views.unit_detail, name="unit_detail"),
]
