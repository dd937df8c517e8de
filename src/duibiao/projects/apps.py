from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "duibiao.projects"
    label = "projects"
    verbose_name = "重点项目"

    def ready(self) -> None:
        # The four rates, overdue assignments and late 入库 become values a scheme indicator
        # can name (`value_from:`), so units never type what the projects already say.
        from duibiao.projects.sources import register_sources

        register_sources()
