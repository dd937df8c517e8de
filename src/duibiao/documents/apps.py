from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "duibiao.documents"
    label = "documents"
    verbose_name = "公文与报表"
