from django.urls import path

from duibiao.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.login_otp, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("schemes/", views.schemes, name="schemes"),
    path("security/", views.security, name="security"),
]
