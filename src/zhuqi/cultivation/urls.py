from django.urls import path

from zhuqi.cultivation import views

app_name = "cultivation"
urlpatterns = [
    path("cultivation/", views.home, name="home"),
    path("cultivation/run/", views.run, name="run"),
    path("cultivation/export/", views.export, name="export"),
    path("cultivation/pools/<str:kind>/", views.pool, name="pool"),
    path("cultivation/pools/<str:kind>/add/", views.pool_add, name="pool_add"),
    path("cultivation/pools/<str:kind>/target/", views.target_set, name="target_set"),
    path("cultivation/members/<int:pk>/", views.member, name="member"),
    path("cultivation/members/<int:pk>/<str:action>/", views.member_action, name="member_action"),
    path("cultivation/lists/<str:kind>/", views.key_list, name="key_list"),
    path("cultivation/lists/<str:kind>/<str:action>/", views.key_list_action, name="key_list_action"),
    path("cultivation/ladder/", views.ladder_page, name="ladder"),
    path("cultivation/ladder/target/", views.ladder_target, name="ladder_target"),
    path("cultivation/ladder/<str:tier>/", views.ladder_enterprises, name="ladder_enterprises"),
]
