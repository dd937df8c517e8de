from django.urls import path

from duibiao.web import cockpit_views, views, views_jobs

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.login_otp, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("schemes/", views.schemes, name="schemes"),
    path("cockpit/", cockpit_views.cockpit, name="cockpit"),
    path("cockpit/screen/", cockpit_views.cockpit_screen, name="cockpit_screen"),
    path("cockpit/data.json", cockpit_views.cockpit_data, name="cockpit_data"),
    path("security/", views.security, name="security"),
    path("jobs/", views_jobs.jobs, name="jobs"),
    path("jobs/progress/", views_jobs.jobs_progress, name="jobs_progress"),
    path("jobs/<int:pk>/download/", views_jobs.job_download, name="job_download"),
    path("jobs/<int:pk>/retry/", views_jobs.job_retry, name="job_retry"),
]
