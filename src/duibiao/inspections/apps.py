from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "duibiao.inspections"
    label = "inspections"
    verbose_name = "督导检查"
