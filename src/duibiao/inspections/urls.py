from django.urls import path

from duibiao.inspections.views import campaigns, enterprises, findings, stats, worklogs

app_name = "inspections"
urlpatterns = [
    # 督导检查: the workspace, campaigns, findings and their rectification
    path("", campaigns.workspace, name="index"),
    path("campaigns/", campaigns.campaign_index, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/record/", findings.finding_new, name="finding_new"),
    path("campaigns/<int:campaign_id>/duplicates/", findings.finding_duplicates, name="finding_duplicates"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding"),
    path("findings/<int:pk>/report/", findings.finding_report, name="finding_report"),
    path("findings/<int:pk>/verify/", findings.finding_verify, name="finding_verify"),
    path("findings/<int:pk>/extend/", findings.finding_extend, name="finding_extend"),
    path("findings/<int:pk>/extensions/<int:extension_id>/", findings.extension_decide, name="extension_decide"),
    path("findings/<int:pk>/remind/", findings.finding_remind, name="finding_remind"),
    path("photos/<int:pk>/", findings.photo_view, name="photo"),
    path("photos/<int:pk>/raw/", findings.photo_raw, name="photo_raw"),
    path("rectify/", campaigns.rectify_list, name="rectify"),
    path("verify/", campaigns.verify_list, name="verify"),
    # 督导检查日通报 and 问题处置率
    path("daily/", stats.daily, name="daily"),
    path("rates/", stats.rates, name="rates"),
    # 一企一档一清单
    path("enterprises/", enterprises.enterprise_index, name="enterprises"),
    path("enterprises/new/", enterprises.enterprise_new, name="enterprise_new"),
    path("enterprises/<int:pk>/", enterprises.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/edit/", enterprises.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/risks/", enterprises.enterprise_risk_add, name="risk_add"),
    path("enterprises/<int:pk>/risks/<int:risk_id>/", enterprises.enterprise_risk_status, name="risk_status"),
    # 工作量统计
    path("work/", worklogs.worklog_index, name="worklogs"),
    path("work/new/", worklogs.worklog_new, name="worklog_new"),
    path("work/<int:pk>/", worklogs.worklog_edit, name="worklog_edit"),
    path("work/types/", worklogs.worktype_index, name="worktypes"),
]
