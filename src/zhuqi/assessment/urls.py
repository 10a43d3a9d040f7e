from django.urls import path

from zhuqi.assessment import views

app_name = "assessment"
urlpatterns = [
    path("surveys/", views.campaign_list, name="campaigns"),
    path("surveys/new/", views.campaign_new, name="campaign_new"),
    path("surveys/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("surveys/<int:pk>/answer/", views.answer, name="answer"),
    path("surveys/<int:pk>/scores.xlsx", views.campaign_export, name="campaign_export"),
    path("surveys/<int:pk>/<str:action>/", views.campaign_action, name="campaign_action"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/<str:period>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<str:period>/publish/", views.assessment_publish, name="assessment_publish"),
    path("assessments/<str:period>/export.xlsx", views.assessment_export, name="assessment_export"),
]
