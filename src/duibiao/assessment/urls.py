from django.urls import path

from duibiao.assessment.views import periods, progress, reporting, review, schemes

app_name = "assessment"
urlpatterns = [
    # 考核方案、数据填报、专班审核 (schemes, reporting, review)
    path("schemes/<slug:code>/", schemes.scheme_detail, name="scheme_detail"),
    path("schemes/<slug:code>/edit/", schemes.scheme_edit, name="scheme_edit"),
    path("schemes/<slug:code>/check/", schemes.scheme_check, name="scheme_check"),
    path("schemes/<slug:code>/clone/", schemes.scheme_clone_view, name="scheme_clone"),
    path("report/", reporting.report_index, name="report_index"),
    path("periods/<int:period_id>/report/", reporting.report_home, name="report_home"),
    path("periods/<int:period_id>/report/<slug:unit_code>/", reporting.report_unit, name="report_unit"),
    path("periods/<int:period_id>/report/<slug:unit_code>/submit/", reporting.report_submit,
         name="report_submit"),
    path("periods/<int:period_id>/report/<slug:unit_code>/signoff/", reporting.report_signoff,
         name="report_signoff"),
    path("periods/<int:period_id>/report/<slug:unit_code>/<str:code>/", reporting.value_save,
         name="value_save"),
    path("submissions/<int:pk>/evidence/", reporting.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", reporting.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", reporting.evidence_delete, name="evidence_delete"),
    path("review/", review.review_index, name="review_index"),
    path("periods/<int:period_id>/review/", review.review_home, name="review_home"),
    path("periods/<int:period_id>/review/<str:code>/", review.review_indicator, name="review_indicator"),
    path("periods/<int:period_id>/review/<str:code>/<slug:unit_code>/score/", review.score, name="score"),
    path("submissions/<int:pk>/approve/", review.approve, name="approve"),
    path("submissions/<int:pk>/return/", review.return_view, name="return"),
    path("submissions/<int:pk>/unlock/", review.unlock, name="unlock"),
    # 考核周期、节假日与填报进度 (periods, calendar, progress)
    path("periods/", periods.period_list_view, name="period_list"),
    path("periods/new/", periods.period_create_view, name="period_create"),
    path("periods/preview/", periods.period_preview_view, name="period_preview"),
    path("periods/<int:period_id>/status/", periods.period_status_view, name="period_status"),
    path("calendar/", periods.calendar_view, name="calendar"),
    path("progress/", progress.progress_index, name="progress_index"),
    path("periods/<int:period_id>/progress/", progress.progress_view, name="progress"),
    path("periods/<int:period_id>/progress.xlsx", progress.progress_export, name="progress_export"),
]
