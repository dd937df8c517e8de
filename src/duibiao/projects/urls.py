from django.urls import path

from duibiao.projects.views import library, progress, rates

app_name = "projects"

urlpatterns = [
    path("", library.portfolio, name="portfolio"),
    path("rates/", rates.rates, name="rates"),
    path("mine/", progress.workspace, name="workspace"),
    path("new/", library.project_new, name="project_new"),
    path("<int:pk>/", library.project_detail, name="project_detail"),
    path("<int:pk>/edit/", library.project_edit, name="project_edit"),
    path("<int:pk>/milestones/", library.milestones_edit, name="milestones_edit"),
    path("<int:pk>/report/", progress.progress_new, name="progress_new"),
    path("<int:pk>/problems/", progress.problem_new, name="problem_new"),
    path("problems/", progress.problems_asked, name="problems_asked"),
    path("problems/<int:pk>/solve/", progress.problem_solved, name="problem_solve"),
    path("photos/<int:pk>/", progress.photo_raw, name="photo_raw"),
    path("photos/<int:pk>/view/", progress.photo_view, name="photo_view"),
]
