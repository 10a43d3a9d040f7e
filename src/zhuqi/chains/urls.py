from django.urls import path

from zhuqi.chains import views

app_name = "chains"
urlpatterns = [
    path("chains/", views.chain_list, name="chain_list"),
    path("chains/events/", views.event_list, name="event_list"),
    path("chains/events/new/", views.event_new, name="event_new"),
    path("chains/events/export/", views.event_export, name="event_export"),
    path("chains/events/<str:number>/", views.event_detail, name="event_detail"),
    path("chains/events/<str:number>/<str:action>/", views.event_action, name="event_action"),
    path("chains/quotas/", views.quota_progress, name="quota_progress"),
    path("chains/enterprises/options/", views.enterprise_options, name="enterprise_options"),
    path("chains/<slug:code>/", views.chain_detail, name="chain_detail"),
    path("chains/<slug:code>/files/<int:file_pk>/", views.plan_file, name="plan_file"),
    path("chains/<slug:code>/<str:action>/", views.chain_action, name="chain_action"),
]
