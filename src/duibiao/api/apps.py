from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "duibiao.api"
    label = "api"
    verbose_name = "接口"
