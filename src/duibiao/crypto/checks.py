"""System checks for the SM4 keys: a malformed key stops the start (rather than every sign-in
of an administrator failing later), and a production deploy without its own key is warned
about (the fallback, derived from SECRET_KEY, is lost with it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from duibiao.crypto.sm4 import KeyConfigError, parse_key


@register(Tags.security)
def sm4_keys_parse(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for name, values in (("DUIBIAO_SM4_KEY", [settings.DUIBIAO_SM4_KEY] if settings.DUIBIAO_SM4_KEY else []),
                         ("DUIBIAO_SM4_OLD_KEYS", list(settings.DUIBIAO_SM4_OLD_KEYS))):
        for value in values:
            try:
                parse_key(value, name=name)
            except KeyConfigError as exc:
                errors.append(Error(str(exc), id="duibiao.E101"))
    return errors


@register(Tags.security, deploy=True)
def sm4_key_set(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.DUIBIAO_SM4_KEY:
        return []
    return [Warning(
        "DUIBIAO_SM4_KEY 未设置：动态口令密钥和加密的上传文件用由 SECRET_KEY 派生的密钥加密，"
        "更换 SECRET_KEY 后将无法解密 / DUIBIAO_SM4_KEY is unset: the key is derived from SECRET_KEY",
        hint="生成：python -c \"import secrets; print(secrets.token_hex(16))\"（docs/security.md 第 15 节）",
        id="duibiao.W101",
    )]
