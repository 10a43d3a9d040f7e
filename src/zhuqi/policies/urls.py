from django.urls import path

from zhuqi.policies import views

app_name = "policies"
urlpatterns = [
    path("policies/", views.catalogue, name="catalogue"),
    path("policies/mine/", views.my_policies, name="mine"),
    path("policies/run/<str:what>/", views.run, name="run"),
    path("policies/packs/import/", views.pack_import, name="pack_import"),
    path("policies/packs/<str:code>.yaml", views.pack_export, name="pack_export"),
    path("policies/clauses/<str:code>/", views.clause_detail, name="clause_detail"),
    path("policies/clauses/<str:code>/apply/", views.application_new, name="application_new"),
    path("policies/applications/", views.application_list, name="application_list"),
    path("policies/applications/<str:number>/", views.application_detail, name="application_detail"),
    path(
        "policies/applications/<str:number>/attach/",
        views.application_attach,
        name="application_attach",
    ),
    path(
        "policies/applications/<str:number>/attachments/<int:pk>/",
        views.application_attachment,
        name="application_attachment",
    ),
    path(
        "policies/applications/<str:number>/<str:action>/",
        views.application_action,
        name="application_action",
    ),
    path("policies/offers/", views.offer_list, name="offer_list"),
    path("policies/offers/<str:number>/", views.offer_detail, name="offer_detail"),
    path("policies/disbursements/", views.batch_create, name="batch_create"),
    path("policies/disbursements/<str:number>.xlsx", views.batch_export, name="batch_export"),
    path("policies/disbursements/<str:number>/paid/", views.batch_paid, name="batch_paid"),
]
