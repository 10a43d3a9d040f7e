from django.urls import path

from zhuqi.directory import views

app_name = "directory"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_edit, name="enterprise_new"),
    path("enterprises/options/", views.enterprise_options, name="enterprise_options"),
    path("enterprises/export/", views.enterprise_export, name="enterprise_export"),
    path("indicators/export/", views.enterprise_export, {"what": "indicators"}, name="indicator_export"),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<str:uscc>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/templates/<str:kind>.xlsx", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/decide/", views.import_decide, name="import_decide"),
]
