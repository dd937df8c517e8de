"""调度会, 交办事项 and 项目线索 pages, under /projects/dispatch/ (namespace `dispatch`, apart
from the project library's own `projects:` routes)."""

from django.urls import path

from duibiao.projects.views import dispatch, leads

app_name = "dispatch"

urlpatterns = [
    path("meetings/", dispatch.meeting_list, name="meeting_list"),
    path("meetings/new/", dispatch.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", dispatch.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/minutes/", dispatch.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/assign/", dispatch.assignment_add, name="assignment_add"),
    path("meetings/<int:pk>/close/", dispatch.meeting_close, name="meeting_close"),
    path("assignments/", dispatch.assignment_list, name="assignment_list"),
    path("assignments/<int:pk>/reply/", dispatch.assignment_reply, name="assignment_reply"),
    path("leads/", leads.lead_list, name="lead_list"),
    path("leads/new/", leads.lead_new, name="lead_new"),
    path("leads/funnel/", leads.lead_funnel, name="lead_funnel"),
    path("leads/<int:pk>/", leads.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/advance/", leads.lead_advance, name="lead_advance"),
    path("leads/<int:pk>/convert/", leads.lead_convert, name="lead_convert"),
]
