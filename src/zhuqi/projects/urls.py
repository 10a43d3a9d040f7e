from django.urls import path

from zhuqi.projects import views

app_name = "projects"
urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/export/", views.project_export, name="project_export"),
    path("projects/<str:number>/", views.project_detail, name="project_detail"),
    path("projects/<str:number>/<str:action>/", views.project_action, name="project_action"),
]
