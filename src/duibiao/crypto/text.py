"""Short secrets sealed into a text column: `sm4:` + base64url of an SM4-GCM envelope."""

from __future__ import annotations

import base64

from duibiao.crypto.keys import keyring
from duibiao.crypto.sm4 import SealError, open_sealed, seal

PREFIX = "sm4:"
COLUMN_LENGTH = 80  # django-otp's key column: 20-byte keys fit sealed (78 characters)


def seal_text(secret: bytes) -> str:
    text = PREFIX + base64.urlsafe_b64encode(seal(keyring(), secret)).decode().rstrip("=")
    if len(text) > COLUMN_LENGTH:
        raise ValueError("TOTP 密钥过长，加密后超出 80 个字符 / key too long to seal in the column")
    return text


def open_text(text: str) -> bytes:
    if not text.startswith(PREFIX):
        # Every key was sealed by migration duibiao_crypto 0002; a plain key now means the row
        # was written around the application. It is refused, not trusted.
        raise SealError("动态口令密钥未加密：拒绝使用 / the TOTP key is not sealed")
    body = text[len(PREFIX):]
    try:
        envelope = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        raise SealError("动态口令密钥已损坏 / the sealed TOTP key is damaged") from None
    return open_sealed(keyring(), envelope)


def is_sealed_text(text: str) -> bool:
    return text.startswith(PREFIX)
