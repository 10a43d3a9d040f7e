from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhuqi.demo"
    label = "demo"
