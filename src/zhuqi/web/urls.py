from django.contrib.auth.views import LogoutView
from django.urls import path

from zhuqi.web import jobs_views, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_mark_read, name="notifications_read"),
    path("audit/", views.audit_trail, name="audit"),
    path("jobs/", jobs_views.job_list, name="jobs"),
    path("jobs/<int:job_id>/", jobs_views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/file/", jobs_views.job_file, name="job_file"),
]
