"""PBKDF2 with HMAC-SM3 (GB/T 32905-2016) as a Django password hasher, chosen with
DUIBIAO_PASSWORD_HASHER=sm3 (config/settings.py).

Django's PBKDF2 hasher with the digest swapped: the same `algorithm$iterations$salt$hash`
encoding, salt, constant-time verify, and `must_update` when DUIBIAO_SM3_ITERATIONS changes.
The PBKDF2 loop is OpenSSL's through pyca/cryptography (tests/crypto/test_sm3_hasher.py checks
it against a loop written out over gmssl's SM3, an independent implementation).
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils.encoding import force_bytes

HASH_BYTES = 32  # SM3's output length


def pbkdf2_sm3(password: bytes, salt: bytes, iterations: int, length: int = HASH_BYTES) -> bytes:
    return PBKDF2HMAC(hashes.SM3(), length, salt, iterations).derive(password)


class SM3PasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sm3"

    @property  # read when used: the count is a setting, and a changed count rehashes at sign-in
    def iterations(self) -> int:  # type: ignore[override]
        return int(settings.DUIBIAO_SM3_ITERATIONS)

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        self._check_encode_args(password, salt)  # type: ignore[attr-defined]  # not in django-stubs
        iterations = iterations or self.iterations
        derived = pbkdf2_sm3(force_bytes(password), force_bytes(salt), iterations)
        return f"{self.algorithm}${iterations}${salt}${base64.b64encode(derived).decode('ascii')}"
