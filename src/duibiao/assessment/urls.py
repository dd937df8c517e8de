from django.urls import path  # noqa: F401  (paths are added section by section)

app_name = "assessment"
urlpatterns = [
    # 考核方案、数据填报、专班审核 (schemes, reporting, review)
    # 考核周期、节假日与填报进度 (periods, calendar, progress)
]
