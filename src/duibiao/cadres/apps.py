from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "duibiao.cadres"
    label = "cadres"
    verbose_name = "干部考核"
