from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhuqi.web"
    label = "web"
