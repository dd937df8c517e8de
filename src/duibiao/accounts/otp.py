"""Second factor for the administrators (等保 2.0: two factors for administrator logins):
time-based one-time passwords (RFC 6238), as any authenticator app produces them."""

from __future__ import annotations

import pyotp
import segno
from django.conf import settings

from duibiao.accounts.roles import ADMIN_ROLES

ISSUER = "对标 duibiao"


def requires_second_factor(user) -> bool:
    from duibiao.accounts.gate import user_roles

    return bool(settings.DUIBIAO_ADMIN_2FA and user_roles(user) & ADMIN_ROLES)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG (no image files, no third-party request)."""
    return segno.make(uri, error="m").svg_inline(scale=4)


def verify(secret: str, code: str) -> bool:
    """True for the current code or the one just before / after (clock drift of ±30 s)."""
    code = "".join(ch for ch in code if ch.isdigit())
    return len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)
