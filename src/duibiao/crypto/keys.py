"""The SM4 keys from settings: DUIBIAO_SM4_KEY seals, DUIBIAO_SM4_OLD_KEYS still open.

Without DUIBIAO_SM4_KEY the key is derived from SECRET_KEY (SM3, domain-separated), so a
development install encrypts too; production sets its own key (docs/security.md) because
a SECRET_KEY changed later would otherwise make the sealed secrets unreadable.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from duibiao.crypto.sm4 import Keyring, sm3


@lru_cache(maxsize=8)
def _keyring(current: str, old: tuple[str, ...]) -> Keyring:
    return Keyring.from_hex(current, old)


def keyring() -> Keyring:
    current = settings.DUIBIAO_SM4_KEY or sm3(b"duibiao sm4 from SECRET_KEY" + settings.SECRET_KEY.encode())[:16].hex()
    return _keyring(current, tuple(settings.DUIBIAO_SM4_OLD_KEYS))
