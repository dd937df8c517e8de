"""`duibiao check --deploy` with the production variables documented in docs/security.md
("Production settings") gives no warning; without them it warns, so the test means something."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# The variables of docs/security.md "生产部署设置 / Production settings", as documented.
PRODUCTION = {
    "DUIBIAO_DEBUG": "false",
    "DUIBIAO_SECRET_KEY": "k7#Vq9!mZ2@pL5$wR8^tY3&nB6*cX1(dF4)gH0_jS-" * 2,
    "DUIBIAO_ALLOWED_HOSTS": "khpj.example.gov.cn",
    "DUIBIAO_CSRF_TRUSTED_ORIGINS": "https://khpj.example.gov.cn",
    "DUIBIAO_SECURE_COOKIES": "true",
    "DUIBIAO_SSL_REDIRECT": "true",
    "DUIBIAO_HSTS_SECONDS": "31536000",
    "DUIBIAO_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DUIBIAO_HSTS_PRELOAD": "true",
    "DUIBIAO_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "DUIBIAO_TRUSTED_PROXY_HEADER": "X-Forwarded-For",
    "DUIBIAO_TRUSTED_PROXIES": "127.0.0.1",
    "DUIBIAO_SM4_KEY": "3f8a1c6e9b2d4f7a0c5e8b1d3f6a9c2e",
    "DUIBIAO_ENCRYPT_UPLOADS": "true",
    "DUIBIAO_PASSWORD_HASHER": "sm3",
}


def _check(tmp_path, **variables):
    # A clean environment: no DUIBIAO_* of the test run, and not the async-safety switch the
    # browser tests set (the deploy check rightly refuses it).
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("DUIBIAO_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DUIBIAO_VAR_DIR=str(tmp_path), DUIBIAO_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               **variables)
    return subprocess.run([sys.executable, "-m", "duibiao.cli", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_the_documented_production_variables_pass_the_deploy_check(tmp_path):
    result = _check(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_check_warns_without_them(tmp_path):
    result = _check(tmp_path, **{k: v for k, v in PRODUCTION.items() if "HSTS" not in k and "SSL" not in k})
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # HSTS
    assert "security.W008" in result.stderr + result.stdout  # SSL redirect


def test_without_its_own_sm4_key_the_deploy_check_warns(tmp_path):
    result = _check(tmp_path, **{k: v for k, v in PRODUCTION.items() if k != "DUIBIAO_SM4_KEY"})
    assert result.returncode != 0 and "duibiao.W101" in result.stderr + result.stdout


@pytest.mark.parametrize("variable, value", [("DUIBIAO_SM4_KEY", "abc"), ("DUIBIAO_SM4_OLD_KEYS", "00" * 16 + ",xyz")])
def test_a_malformed_sm4_key_stops_the_start(tmp_path, variable, value):
    result = _check(tmp_path, **{**PRODUCTION, variable: value})
    assert result.returncode != 0 and "duibiao.E101" in result.stderr + result.stdout
    assert "32 位十六进制" in result.stderr + result.stdout


def test_a_mistyped_proxy_list_stops_the_start(tmp_path):
    result = _check(tmp_path, **{**PRODUCTION, "DUIBIAO_TRUSTED_PROXIES": "127.0.0.1, proxy.local"})
    assert result.returncode != 0 and "DUIBIAO_TRUSTED_PROXIES" in result.stderr


@pytest.mark.parametrize("header, key", [("X-Forwarded-Proto", "HTTP_X_FORWARDED_PROTO"),
                                         ("x-forwarded-for", "HTTP_X_FORWARDED_FOR")])
def test_header_names_map_to_request_meta(header, key):
    from duibiao.config.env import header_meta_key

    assert header_meta_key(header) == key


def test_an_unknown_password_hasher_stops_the_start(tmp_path):
    result = _check(tmp_path, **{**PRODUCTION, "DUIBIAO_PASSWORD_HASHER": "md5"})
    assert result.returncode != 0 and "DUIBIAO_PASSWORD_HASHER 只能是 sm3 或 pbkdf2" in result.stderr
