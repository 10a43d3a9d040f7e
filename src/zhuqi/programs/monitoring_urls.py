from django.urls import path

from zhuqi.programs import evaluation_views as ev
from zhuqi.programs import monitoring_views as mv

app_name = "pilots"
urlpatterns = [
    path("pilots/", mv.pilot_list, name="pilot_list"),
    path("pilots/export.xlsx", mv.pilot_export, name="pilot_export"),
    path("pilots/<int:pk>/", mv.pilot_detail, name="pilot_detail"),
    path("pilots/<int:pk>/policy-list/", mv.policy_list_add, name="policy_list_add"),
    path("pilots/<int:pk>/policy-list/<int:entry>/done/", mv.policy_list_done, name="policy_list_done"),
    path("pilots/reports/", mv.task_list, name="task_list"),
    path("pilots/reports/export.xlsx", mv.task_export, name="task_export"),
    path("pilots/reports/issue/", mv.task_issue, name="task_issue"),
    path("pilots/reports/<int:pk>/", mv.task_detail, name="task_detail"),
    path("pilots/reports/<int:pk>/submit/", mv.task_submit, name="task_submit"),
    path("pilots/reports/<int:pk>/cancel/", mv.task_cancel, name="task_cancel"),
    path("pilots/registration/", mv.registration, name="registration"),
    path("pilots/remind/", mv.remind, name="remind"),
    path("pilots/evaluations/", ev.evaluation_list, name="evaluation_list"),
    path("pilots/evaluations/run/", ev.evaluation_run, name="evaluation_run"),
    path("pilots/evaluations/<int:pk>/", ev.evaluation_detail, name="evaluation_detail"),
    path("pilots/evaluations/<int:pk>/export.xlsx", ev.evaluation_export, name="evaluation_export"),
    path("pilots/evaluations/<int:pk>/items/<int:item>/", ev.item_amend, name="item_amend"),
    path("pilots/evaluations/<int:pk>/items/<int:item>/files/<int:file>/", ev.item_file, name="item_file"),
    path("pilots/evaluations/<int:pk>/<str:step>/", ev.evaluation_step, name="evaluation_step"),
]
