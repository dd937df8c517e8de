"""The SM3 password hasher (PBKDF2 with HMAC-SM3): its encoding, an independent check of its
PBKDF2 loop, and hashes upgraded at sign-in both ways (pbkdf2 -> sm3 and sm3 -> pbkdf2)."""

from __future__ import annotations

import base64
import hmac as std_hmac

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.urls import reverse
from gmssl import sm3 as gm_sm3

from duibiao.accounts.models import User
from duibiao.crypto.hashers import SM3PasswordHasher, pbkdf2_sm3
from tests.conftest import PASSWORD

SM3 = "duibiao.crypto.hashers.SM3PasswordHasher"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def _gm_sm3(data: bytes) -> bytes:
    return bytes.fromhex(gm_sm3.sm3_hash(list(data)))


def _reference_pbkdf2_sm3(password: bytes, salt: bytes, iterations: int) -> bytes:
    """PBKDF2 (RFC 8018) written out over gmssl's pure-Python SM3, for one 32-byte block."""
    key = password.ljust(64, b"\0") if len(password) <= 64 else _gm_sm3(password).ljust(64, b"\0")

    def hmac_sm3(message: bytes) -> bytes:
        inner = _gm_sm3(bytes(b ^ 0x36 for b in key) + message)
        return _gm_sm3(bytes(b ^ 0x5C for b in key) + inner)

    u = hmac_sm3(salt + (1).to_bytes(4, "big"))
    out = u
    for _ in range(iterations - 1):
        u = hmac_sm3(u)
        out = bytes(a ^ b for a, b in zip(out, u, strict=True))
    return out


def test_the_pbkdf2_loop_agrees_with_one_written_out_over_an_independent_sm3():
    for password, salt, rounds in [(b"Test@Pass2026", b"salt0123", 1), ("密码Pass2026".encode(), b"s" * 22, 3)]:
        assert pbkdf2_sm3(password, salt, rounds) == _reference_pbkdf2_sm3(password, salt, rounds)
    # HMAC-SM3 itself, against the standard library's HMAC over OpenSSL's SM3
    assert std_hmac.new(b"k", b"m", "sm3").digest() == _reference_hmac(b"k", b"m")


def _reference_hmac(key: bytes, message: bytes) -> bytes:
    key = key.ljust(64, b"\0")
    return _gm_sm3(bytes(b ^ 0x5C for b in key) + _gm_sm3(bytes(b ^ 0x36 for b in key) + message))


def test_the_encoding_is_djangos_and_verifies_in_constant_time(settings):
    settings.DUIBIAO_SM3_ITERATIONS = 1000
    hasher = SM3PasswordHasher()
    salt = hasher.salt()
    encoded = hasher.encode(PASSWORD, salt)
    algorithm, iterations, stored_salt, digest = encoded.split("$")
    assert (algorithm, iterations, stored_salt) == ("pbkdf2_sm3", "1000", salt)
    assert base64.b64decode(digest) == pbkdf2_sm3(PASSWORD.encode(), salt.encode(), 1000)
    assert hasher.verify(PASSWORD, encoded) and not hasher.verify(PASSWORD + "x", encoded)
    assert hasher.safe_summary(encoded)["iterations"] == 1000
    # a changed count is noticed: the next sign-in rehashes
    assert not hasher.must_update(encoded)
    settings.DUIBIAO_SM3_ITERATIONS = 2000
    assert hasher.must_update(encoded)


def test_the_setting_chooses_the_hasher(settings):
    settings.DUIBIAO_SM3_ITERATIONS = 1000
    settings.PASSWORD_HASHERS = [SM3, PBKDF2]
    assert identify_hasher(make_password(PASSWORD)).algorithm == "pbkdf2_sm3"
    settings.PASSWORD_HASHERS = [PBKDF2, SM3]
    assert identify_hasher(make_password(PASSWORD)).algorithm == "pbkdf2_sha256"


def _sign_in_and_read_hash(client, username: str) -> str:
    done = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert done.status_code == 302 and "_auth_user_id" in client.session
    return User.objects.get(username=username).password


@pytest.mark.parametrize(("before", "after", "algorithm"), [(PBKDF2, SM3, "pbkdf2_sm3"), (SM3, PBKDF2, "pbkdf2_sha256")])
def test_a_stored_hash_is_upgraded_at_sign_in_both_ways(client, world, settings, before, after, algorithm):
    settings.DUIBIAO_SM3_ITERATIONS = 1000
    settings.PASSWORD_HASHERS = [before, after]
    user = world["reporter_a"]
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    old = user.password
    settings.PASSWORD_HASHERS = [after, before]  # the operator switches DUIBIAO_PASSWORD_HASHER
    new = _sign_in_and_read_hash(client, "tb_a")
    assert new != old and identify_hasher(new).algorithm == algorithm
    assert check_password(PASSWORD, new)


def test_a_changed_iteration_count_rehashes_at_sign_in(client, world, settings):
    settings.DUIBIAO_SM3_ITERATIONS = 1000
    settings.PASSWORD_HASHERS = [SM3, PBKDF2]
    user = world["reporter_a"]
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    settings.DUIBIAO_SM3_ITERATIONS = 1500
    assert _sign_in_and_read_hash(client, "tb_a").startswith("pbkdf2_sm3$1500$")


def test_a_wrong_password_is_refused_and_the_hash_kept(client, world, settings):
    settings.DUIBIAO_SM3_ITERATIONS = 1000
    settings.PASSWORD_HASHERS = [SM3, PBKDF2]
    user = world["reporter_a"]
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    client.post(reverse("web:login"), {"username": "tb_a", "password": PASSWORD + "!"})
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=user.pk).password == user.password
