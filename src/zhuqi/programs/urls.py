from django.urls import path

from zhuqi.programs import views

app_name = "programs"
urlpatterns = [
    path("programmes/", views.index, name="index"),
    path("programmes/pilots/", views.pilot_list, name="pilots"),
    path("programmes/pilots/export/", views.pilots_export, name="pilots_export"),
    path("programmes/experts/", views.experts, name="experts"),
    path("programmes/reviews/", views.my_reviews, name="my_reviews"),
    path("programmes/conflicts/", views.my_conflicts, name="my_conflicts"),
    path("programmes/groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("programmes/<int:pk>/rounds/new/", views.round_new, name="round_new"),
    path("programmes/rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("programmes/rounds/<int:pk>/apply/", views.application_new, name="application_new"),
    path("programmes/rounds/<int:pk>/do/<str:action>/", views.round_action, name="round_action"),
    path("programmes/rounds/<int:pk>/<str:kind>/", views.round_list, name="round_list"),
    path("programmes/rounds/<int:pk>/<str:kind>/export/", views.round_export, name="round_export"),
    path("programmes/applications/<str:number>/", views.application_detail, name="application_detail"),
    path(
        "programmes/applications/<str:number>/files/<int:pk>/",
        views.application_attachment,
        name="application_attachment",
    ),
    path(
        "programmes/applications/<str:number>/<str:action>/",
        views.application_action,
        name="application_action",
    ),
    path("programmes/flags/<int:pk>/settle/", views.settle, name="settle"),
    path("programmes/objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
]
