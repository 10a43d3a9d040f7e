from django.urls import path

from zhuqi.briefings import views

app_name = "briefings"
urlpatterns = [
    path("briefings/", views.briefing_list, name="list"),
    path("briefings/new/", views.briefing_new, name="new"),
    path("briefings/<int:pk>/", views.briefing_detail, name="detail"),
    path("briefings/<int:pk>/send/", views.briefing_send, name="send"),
    path("briefings/<int:pk>/file/<str:fmt>/", views.briefing_download, name="download"),
    path("briefings/templates/", views.template_list, name="templates"),
    path("briefings/templates/<str:kind>/", views.template_edit, name="template_edit"),
]
