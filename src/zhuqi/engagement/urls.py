from django.urls import path

from zhuqi.engagement import views

app_name = "engagement"
urlpatterns = [
    path("engagement/tasks/", views.task_list, name="task_list"),
    path("engagement/tasks/new/", views.task_new, name="task_new"),
    path("engagement/tasks/export/", views.task_export, name="task_export"),
    path("engagement/tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("engagement/tasks/<int:pk>/<str:action>/", views.task_action, name="task_action"),
    path("engagement/liaisons/", views.liaison_list, name="liaison_list"),
    path("engagement/liaisons/assign/", views.liaison_assign, name="liaison_assign"),
    path("engagement/liaisons/proposals/", views.proposal_list, name="proposal_list"),
    path("engagement/liaisons/proposals/run/", views.proposal_run, name="proposal_run"),
    path(
        "engagement/liaisons/proposals/<int:pk>/<str:action>/", views.proposal_decide, name="proposal_decide"
    ),
    path("engagement/liaisons/<int:pk>/<str:action>/", views.liaison_change, name="liaison_change"),
    path("engagement/visits/", views.visit_list, name="visit_list"),
    path("engagement/visits/new/", views.visit_new, name="visit_new"),
    path("engagement/visits/export/", views.visit_export, name="visit_export"),
    path("engagement/compliance/export/", views.compliance_export, name="compliance_export"),
    path("engagement/visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("engagement/visits/<int:pk>/files/<int:file_pk>/", views.visit_file, name="visit_file"),
    path("engagement/compliance/", views.compliance_page, name="compliance"),
    path("engagement/meetings/", views.meeting_list, name="meeting_list"),
    path("engagement/meetings/new/", views.meeting_new, name="meeting_new"),
    path("engagement/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("engagement/events/", views.event_list, name="event_list"),
    path("engagement/events/new/", views.event_new, name="event_new"),
    path("engagement/events/export/", views.event_export, name="event_export"),
    path("engagement/events/<int:pk>/", views.event_detail, name="event_detail"),
    path("engagement/events/<int:pk>/<str:action>/", views.event_action, name="event_action"),
]
