"""Short secrets sealed into a text column: `sm4:` + base64url of an SM4-GCM envelope."""

from __future__ import annotations

import base64

from duibiao.crypto.keys import keyring
from duibiao.crypto.sm4 import SealError, open_sealed, seal

PREFIX = "sm4:"
COLUMN_LENGTH = 80  # django-otp's key column: 20-byte keys fit sealed (78 characters)


def device_binding(user_id: int | None) -> bytes:
    """What a TOTP device's sealed key is bound to: its user. A sealed key copied onto another
    user's device row does not open there (the device's own id does not exist yet when a new
    device's key is sealed; a device never changes user)."""
    return f"otp_totp.totpdevice user={user_id}".encode()


def seal_text(secret: bytes, *, bound_to: bytes) -> str:
    text = PREFIX + base64.urlsafe_b64encode(seal(keyring(), secret, bound_to=bound_to)).decode().rstrip("=")
    if len(text) > COLUMN_LENGTH:
        raise ValueError("TOTP 密钥过长，加密后超出 80 个字符 / key too long to seal in the column")
    return text


def envelope_of(text: str) -> bytes:
    """The envelope a sealed column holds (for its key id and version)."""
    body = text[len(PREFIX):]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def open_text(text: str, *, bound_to: bytes) -> bytes:
    if not text.startswith(PREFIX):
        # Every key was sealed by migration duibiao_crypto 0002; a plain key now means the row
        # was written around the application. It is refused, not trusted.
        raise SealError("动态口令密钥未加密：拒绝使用 / the TOTP key is not sealed")
    try:
        envelope = envelope_of(text)
    except ValueError:
        raise SealError("动态口令密钥已损坏 / the sealed TOTP key is damaged") from None
    return open_sealed(keyring(), envelope, bound_to=bound_to)


def is_sealed_text(text: str) -> bool:
    return text.startswith(PREFIX)
