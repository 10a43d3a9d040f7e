from django.urls import path

from zhuqi.engagement import views

app_name = "engagement"
urlpatterns = [
    path("engagement/tasks/", views.task_list, name="task_list"),
    path("engagement/tasks/new/", views.task_new, name="task_new"),
    path("engagement/tasks/export/", views.task_export, name="task_export"),
    path("engagement/tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("engagement/tasks/<int:pk>/<str:action>/", views.task_action, name="task_action"),
]
