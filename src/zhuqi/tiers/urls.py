from django.urls import path

from zhuqi.tiers import views

app_name = "tiers"
urlpatterns = [
    path("tiers/", views.overview, name="overview"),
    path("tiers/export/", views.recognitions_export, name="recognitions_export"),
    path("tiers/candidates/", views.candidates, name="candidates"),
    path("tiers/candidates/export/", views.candidates_export, name="candidates_export"),
    path("tiers/assess/", views.assess, name="assess"),
    path("tiers/mine/", views.mine, name="mine"),
    path("tiers/enterprises/<int:pk>/", views.enterprise, name="enterprise"),
    path("tiers/recognitions/<int:pk>/revoke/", views.revoke, name="revoke"),
]
