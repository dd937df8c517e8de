"""The second-factor secret sealed at rest: django-otp's TOTP device whose `key` column holds
an SM4-GCM envelope (`sm4:` + base64url) instead of the hex key.

A proxy model, not a new table: django-otp's throttling, drift and replay checks stay as they
are; only where the key is read (`bin_key`) and written (`save`) changes. The key is sealed
in `save` because that is the one place every write of the row passes (the row is django-otp's,
we cannot give its column a field of our own). The envelope is bound to the device's user
(`device_binding`): copied onto another user's row it does not open.
"""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from duibiao.crypto.text import device_binding, is_sealed_text, open_text, seal_text


class SealedTOTPDevice(TOTPDevice):
    class Meta:
        proxy = True
        verbose_name = "TOTP device (SM4)"

    @property
    def bin_key(self) -> bytes:
        return open_text(self._column(), bound_to=device_binding(self.user_id))

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not is_sealed_text(self._column()):
            self.key = seal_text(bytes.fromhex(self._column()), bound_to=device_binding(self.user_id))
        super().save(*args, **kwargs)

    def _column(self) -> str:
        return str(self.key)
