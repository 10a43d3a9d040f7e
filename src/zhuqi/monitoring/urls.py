from django.urls import path

from zhuqi.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("monitoring/", views.cockpit, name="cockpit"),
    path("monitoring/targets/", views.target_list, name="targets"),
    path("monitoring/targets/set/", views.target_set, name="target_set"),
    path("monitoring/targets/refresh/", views.actuals_refresh, name="actuals_refresh"),
    path("monitoring/targets/<int:pk>/", views.target_detail, name="target_detail"),
    path(
        "monitoring/targets/<int:pk>/months/<int:month>/", views.target_month_rows, name="target_month_rows"
    ),
    path("monitoring/warnings/", views.warning_list, name="warnings"),
    path("monitoring/warnings/export/", views.warning_export, name="warning_export"),
    path("monitoring/warnings/rules/", views.kind_rules, name="kind_rules"),
    path("monitoring/warnings/<int:pk>/", views.warning_detail, name="warning_detail"),
    path("monitoring/warnings/<int:pk>/<str:action>/", views.warning_action, name="warning_action"),
    path("monitoring/exports/appeal-kpis.xlsx", views.kpi_export, name="kpi_export"),
    path("monitoring/exports/coordination.xlsx", views.coordination_export, name="coordination_export"),
]
