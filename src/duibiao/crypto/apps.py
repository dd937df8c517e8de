from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "duibiao.crypto"
    label = "duibiao_crypto"
    verbose_name = "商用密码"
    default_auto_field = "django.db.models.BigAutoField"
