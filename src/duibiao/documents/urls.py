from django.urls import path

from duibiao.documents import (
    views,
    views_bulletin_auto,
    views_bulletins,
    views_inspections,
    views_projects,
)

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("schemes/<int:pk>/workbook.xlsx", views.scheme_download, name="scheme_download"),
    path("schemes/<int:pk>/import/", views.scheme_import, name="scheme_import"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/template.xlsx", views.template_download, name="template_download"),
    path("periods/<int:pk>/progress.xlsx", views.progress_download, name="progress_download"),
    path("runs/<int:pk>/ranking.xlsx", views.ranking_download, name="ranking_download"),
    path("cadre-lists/<slug:kind>.xlsx", views.cadre_list_download, name="cadre_list_download"),
    path("periods/<int:pk>/import/", views.template_import, name="template_import"),
    path("periods/<int:pk>/units/<slug:code>/template.xlsx", views.template_download,
         name="unit_template_download"),
    path("periods/<int:pk>/units/<slug:code>/import/", views.template_import, name="unit_template_import"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("inspections/daily.xlsx", views_inspections.inspections_daily, name="inspections_daily"),
    path("projects/ledger/", views_projects.project_ledger, name="project_ledger"),
    path("projects/ledger.xlsx", views_projects.project_ledger_export, name="project_ledger_export"),
    path("imports/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("bulletins/", views_bulletins.bulletin_index, name="bulletins"),
    path("bulletins/new/", views_bulletins.bulletin_new, name="bulletin_new"),
    path("bulletins/auto/", views_bulletin_auto.bulletin_auto, name="bulletin_auto"),
    path("bulletins/auto/batch/", views_bulletin_auto.bulletin_batch_new, name="bulletin_batch"),
    path("bulletins/auto/schedule/<str:kind>/", views_bulletin_auto.bulletin_schedule, name="bulletin_schedule"),
    path("bulletins/<int:pk>/", views_bulletins.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/issue/", views_bulletins.bulletin_issue_page, name="bulletin_issue"),
    path("bulletins/<int:pk>/bulletin.<str:fmt>", views_bulletins.bulletin_download, name="bulletin_download"),
]
