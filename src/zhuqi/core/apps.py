from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhuqi.core"
    label = "core"
    verbose_name = "Core"
