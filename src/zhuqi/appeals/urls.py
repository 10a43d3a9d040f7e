from django.urls import path

from zhuqi.appeals import views

app_name = "appeals"
urlpatterns = [
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/new/", views.appeal_new, name="appeal_new"),
    path("appeals/similar/", views.appeal_similar, name="similar"),
    path("appeals/ledger/export/", views.appeal_export, name="appeal_export"),
    path("appeals/warnings/", views.warning_list, name="warnings"),
    path("appeals/coordination/", views.coordination_list, name="coordination"),
    path("appeals/kpis/", views.kpi_page, name="kpis"),
    path("appeals/deadlines/", views.deadline_settings, name="deadline_settings"),
    path("appeals/<str:number>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<str:number>/attach/", views.appeal_attach, name="appeal_attach"),
    path("appeals/<str:number>/attachments/<int:pk>/", views.appeal_attachment, name="appeal_attachment"),
    path("appeals/<str:number>/<str:action>/", views.appeal_action, name="appeal_action"),
]
