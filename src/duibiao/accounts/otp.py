"""Second factor for the administrators (等保 2.0: two factors for administrator logins):
time-based one-time passwords (RFC 6238) as any authenticator app produces them, kept as
django-otp TOTP devices. django-otp refuses a code at or before the last one accepted (no
replay, even from another session) and backs off exponentially after wrong codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import segno
from django.conf import settings

from duibiao.accounts.roles import ADMIN_ROLES
from duibiao.crypto.models import SealedTOTPDevice as TOTPDevice  # the key sealed with SM4

if TYPE_CHECKING:
    from duibiao.accounts.models import User

DEVICE_NAME = "authenticator"


def requires_second_factor(user: User) -> bool:
    from duibiao.accounts import gate

    return bool(settings.DUIBIAO_ADMIN_2FA and gate.roles(user) & ADMIN_ROLES)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user: User) -> TOTPDevice:
    """The not yet confirmed device offered to a user with none: the same key on every reload
    of the page, until a first code proves the authenticator app holds it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_b32(device: TOTPDevice) -> str:
    """The key as people type it into an app (base32, no padding)."""
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG (no image files, no third-party request)."""
    return segno.make(uri, error="m").svg_inline(scale=4)


def clean_code(code: str) -> str:
    """Digits only: apps show codes as '123 456'."""
    return "".join(ch for ch in code if ch.isdigit())[:8]
