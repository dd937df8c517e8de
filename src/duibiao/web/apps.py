from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "duibiao.web"
    label = "web"
    verbose_name = "门户"
