from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "duibiao.inspections"
    label = "inspections"
    verbose_name = "督导检查"

    def ready(self) -> None:
        # 问题处置率, 按期整改率 and 逾期问题数 as indicator sources (DESIGN §5): a scheme
        # indicator names them with `value_from:`; assessment never imports inspections.
        from duibiao.inspections.sources import register

        register()
