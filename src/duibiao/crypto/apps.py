from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "duibiao.crypto"
    label = "duibiao_crypto"
    verbose_name = "商用密码"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from duibiao.crypto import checks  # noqa: F401  (registers the key checks)
