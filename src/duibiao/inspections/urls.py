from django.urls import path

from duibiao.inspections.views import enterprises, stats, worklogs

app_name = "inspections"
urlpatterns = [
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
