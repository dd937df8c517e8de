from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "duibiao.projects"
    label = "projects"
    verbose_name = "重点项目"
