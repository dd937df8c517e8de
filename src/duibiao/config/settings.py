"""Django settings for duibiao. Everything configurable comes from DUIBIAO_* variables."""

from __future__ import annotations

from pathlib import Path

from duibiao.config.env import (
    database_config,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_proxies,
    env_str,
    header_meta_key,
    secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DUIBIAO_VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DUIBIAO_DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("DUIBIAO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DUIBIAO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "duibiao.audit",
    "duibiao.files",  # the file viewer's template, script and template filter
    "duibiao.crypto",  # SM3 / SM4 (商用密码): the sealed TOTP device, the sealed file storage
    "duibiao.org",
    "duibiao.workdays",  # the working-day calendar every app counts deadlines in
    "duibiao.accounts",
    "duibiao.assessment",
    "duibiao.cadres",
    "duibiao.projects",
    "duibiao.inspections",
    "duibiao.documents",
    "duibiao.api",
    "duibiao.web",
    "csp",  # django-csp: the Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads a body: an oversized request is answered 413 unread.
    "duibiao.web.request_limits.RequestBodyLimit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's session middleware, except that a page's background polling does not count
    # as activity (it would keep an idle session alive for ever).
    "duibiao.web.sessions.PollAwareSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The source address of every audit row; refused requests and downloads logged.
    "duibiao.audit.middleware.AuditMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "duibiao.accounts.expiry.PasswordExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A malformed form field or query parameter (duibiao.params) answers 400 with its message.
    "duibiao.web.bad_parameters.BadParameterMiddleware",
    # A run whose stored arrays are damaged: its reason and the way to restart it, not a 500.
    "duibiao.web.run_damaged.RunDamagedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a request that locked a client into the response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "duibiao.config.urls"
WSGI_APPLICATION = "duibiao.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "duibiao.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------
DATABASE_URL = env_str("DUIBIAO_DATABASE_URL", f"sqlite:///{VAR_DIR / 'duibiao.sqlite3'}")
DATABASES = {"default": database_config(DATABASE_URL, env_int("DUIBIAO_CONN_MAX_AGE", 60))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and the login policy (等保 2.0 §8.1.4) ------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "duibiao.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "duibiao.accounts.passwords.CharacterClassValidator"},
]
# Password hashing (商用密码, docs/security.md): "sm3" = PBKDF2 with HMAC-SM3, "pbkdf2" = Django's
# PBKDF2-SHA256. The other stays second in the list, so its hashes still verify and are
# rehashed with the chosen one at the next sign-in.
_HASHERS = {
    "sm3": "duibiao.crypto.hashers.SM3PasswordHasher",
    "pbkdf2": "django.contrib.auth.hashers.PBKDF2PasswordHasher",
}
DUIBIAO_PASSWORD_HASHER = env_str("DUIBIAO_PASSWORD_HASHER", "pbkdf2")
if DUIBIAO_PASSWORD_HASHER not in _HASHERS:
    raise ValueError(f"DUIBIAO_PASSWORD_HASHER 只能是 {' 或 '.join(_HASHERS)}，不是 {DUIBIAO_PASSWORD_HASHER!r} / "
                     f"must be one of {', '.join(_HASHERS)}")
PASSWORD_HASHERS = [_HASHERS[DUIBIAO_PASSWORD_HASHER]] + [h for k, h in _HASHERS.items() if k != DUIBIAO_PASSWORD_HASHER]
# PBKDF2-HMAC-SM3 rounds; about the cost of Django's 1 000 000 SHA-256 rounds (SM3 is slower).
# A hash made with another count is rehashed at the next sign-in.
DUIBIAO_SM3_ITERATIONS = env_int("DUIBIAO_SM3_ITERATIONS", 600_000)
# SM4 keys (32 hex digits): the current one seals, old ones only open until `duibiao crypto
# rotate` has sealed everything again. Unset: derived from SECRET_KEY (development only).
DUIBIAO_SM4_KEY = env_str("DUIBIAO_SM4_KEY", "")
DUIBIAO_SM4_OLD_KEYS = env_list("DUIBIAO_SM4_OLD_KEYS", [])
# Lockout (django-axes, see accounts/lockout.py): an account from one address after 5
# failures, one address after 20 across accounts, one account after 50 across addresses.
DUIBIAO_LOCKOUT_FAILURES = env_int("DUIBIAO_LOCKOUT_FAILURES", 5)
DUIBIAO_LOCKOUT_CLIENT_FAILURES = env_int("DUIBIAO_LOCKOUT_CLIENT_FAILURES", 20)
DUIBIAO_LOCKOUT_ACCOUNT_FAILURES = env_int("DUIBIAO_LOCKOUT_ACCOUNT_FAILURES", 50)
DUIBIAO_LOCKOUT_MINUTES = env_int("DUIBIAO_LOCKOUT_MINUTES", 30)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked clients, counts failures
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "duibiao.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_FAILURE_LIMIT = "duibiao.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = "duibiao.accounts.lockout.cool_off"
AXES_CLIENT_IP_CALLABLE = "duibiao.audit.context.client_ip"  # the trusted proxy header, as the audit log
AXES_LOCKOUT_CALLABLE = "duibiao.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True  # only that account at that address (LockoutHandler)
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit log already
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Days a password lasts; then the user must change it before anything else (0 = never).
DUIBIAO_PASSWORD_MAX_AGE_DAYS = env_int("DUIBIAO_PASSWORD_MAX_AGE_DAYS", 90)
# The three administrators sign in with a password and a one-time code (等保 2.0 §8.1.4.1).
DUIBIAO_ADMIN_2FA = env_bool("DUIBIAO_ADMIN_2FA", True)
DUIBIAO_OTP_PENDING_SECONDS = env_int("DUIBIAO_OTP_PENDING_SECONDS", 300)
OTP_TOTP_ISSUER = "对标 duibiao"
# Idle timeout: the session expires 30 minutes after the last request.
SESSION_COOKIE_AGE = env_int("DUIBIAO_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DUIBIAO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A refused form (expired page, token missing) answers the site's 403 page with the reason in Chinese.
CSRF_FAILURE_VIEW = "duibiao.web.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Behind a reverse proxy, over HTTPS (docs/security.md, "Production settings") ----------
# The client address written to the audit log: REMOTE_ADDR, unless this names the header our
# reverse proxy adds (X-Forwarded-For). Unset by default: anyone can send such a header.
DUIBIAO_TRUSTED_PROXY_HEADER = env_str("DUIBIAO_TRUSTED_PROXY_HEADER", "")
# How many proxies stand in front ("1"), or their addresses / networks ("127.0.0.1,10.0.0.0/8").
DUIBIAO_TRUSTED_PROXIES = env_proxies("DUIBIAO_TRUSTED_PROXIES", "1")
# The header by which the proxy says the request came over HTTPS (X-Forwarded-Proto: https).
_PROXY_SSL_HEADER = env_str("DUIBIAO_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = (header_meta_key(_PROXY_SSL_HEADER), "https") if _PROXY_SSL_HEADER else None
SECURE_SSL_REDIRECT = env_bool("DUIBIAO_SSL_REDIRECT", False)
# HSTS: off unless asked; once a browser has seen it, it refuses plain HTTP for that long.
SECURE_HSTS_SECONDS = env_int("DUIBIAO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DUIBIAO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DUIBIAO_HSTS_PRELOAD", False)

# --- Language and time: Simplified Chinese first, English available ---------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("DUIBIAO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DUIBIAO_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DUIBIAO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    # Uploaded files pass through SealedStorage around the real storage ("inner"): it seals
    # what it writes with SM4-GCM when DUIBIAO_ENCRYPT_UPLOADS is on, and opens any sealed file
    # it reads whatever the switch says now, so files written either way stay readable.
    "default": {
        "BACKEND": "duibiao.crypto.storage.SealedStorage",
        "OPTIONS": {"inner": {"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    },
    "staticfiles": {"BACKEND": "duibiao.web.storage.StaticStorage"},
}
DUIBIAO_ENCRYPT_UPLOADS = env_bool("DUIBIAO_ENCRYPT_UPLOADS", False)
# Serve straight from the app folders when nothing was collected (tests, development).
WHITENOISE_USE_FINDERS = True

DUIBIAO_EVIDENCE_MAX_MB = env_int("DUIBIAO_EVIDENCE_MAX_MB", 20)
# 重点项目: the size cap of one site photo of a progress report, and the district's reporting
# rhythm for projects that set none (weekly, half_monthly or monthly).
DUIBIAO_PROJECT_PHOTO_MAX_MB = env_int("DUIBIAO_PROJECT_PHOTO_MAX_MB", 10)
DUIBIAO_PROJECT_RHYTHM = env_str("DUIBIAO_PROJECT_RHYTHM", "weekly")
# 专班审核: a value is flagged as an outlier when its robust z-score within its category
# (median / MAD × 1.4826) is above this, or it changed by more than this fraction (0.5 = 50 %)
# against the unit's value of the previous period.
DUIBIAO_OUTLIER_Z = env_float("DUIBIAO_OUTLIER_Z", 3.0)
DUIBIAO_OUTLIER_CHANGE = env_float("DUIBIAO_OUTLIER_CHANGE", 0.5)
DUIBIAO_IMPORT_MAX_MB = env_int("DUIBIAO_IMPORT_MAX_MB", 20)  # Excel imports (documents app)
# An Excel import is a zip: its members may unpack to at most this much in all (zip bombs).
DUIBIAO_IMPORT_UNZIPPED_MAX_MB = env_int("DUIBIAO_IMPORT_UNZIPPED_MAX_MB", 100)
# An import file at least this large is parsed by the task worker, not in the request (a
# 538 KB workbook of 60 units takes ~4.5 s, docs/benchmarks.md); 0: every import.
DUIBIAO_IMPORT_BACKGROUND_KB = env_int("DUIBIAO_IMPORT_BACKGROUND_KB", 256)
# An import job still queued or running this long after it was queued has lost its worker.
DUIBIAO_IMPORT_TIMEOUT_SECONDS = env_int("DUIBIAO_IMPORT_TIMEOUT_SECONDS", 600)
# An export of at least this many rows (units × indicators, or projects) is built by the task
# worker and offered on the 任务 page (the ledger of 5 000 projects takes seconds); 0: every export.
DUIBIAO_EXPORT_BACKGROUND_ROWS = env_int("DUIBIAO_EXPORT_BACKGROUND_ROWS", 3000)

# --- Request bounds ------------------------------------------------------------------
# A body declared larger than this is answered 413 before it is read (web/request_limits.py);
# set the reverse proxy's limit (nginx client_max_body_size) to the same figure.
DUIBIAO_REQUEST_MAX_MB = env_int(
    "DUIBIAO_REQUEST_MAX_MB", max(DUIBIAO_EVIDENCE_MAX_MB, DUIBIAO_IMPORT_MAX_MB) + 5)
# Form fields and JSON bodies (no files) are small; files over 2.5 MB go to a temporary file
# on disk while they are checked, never into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DUIBIAO_FORM_MAX_MB", 5) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Content-Security-Policy (django-csp 4) ------------------------------------------------
# Scripts and styles come from our own static files only: no inline <script>, no event
# handler attributes, no style="" attributes (templates use classes, web/static/web/site.js
# sets data-dependent sizes through the style object, which CSP does not restrict). ECharts
# draws SVG through the DOM and htmx is told not to inject its indicator <style> (meta
# htmx-config in web/base.html), so neither needs 'unsafe-inline' or 'unsafe-eval'.
# img-src allows data: for Bootstrap's inline SVG icons (select arrows, close buttons).
# worker-src: the file viewer's pdf.js worker, a static file of ours (said explicitly rather
# than left to fall back to script-src).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "worker-src": ["'self'"],
    },
}

# Background tasks: the database backend with `duibiao serve`'s worker; "immediate" runs a
# task inside the request (tests, or a deployment without a worker process).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env_str("DUIBIAO_TASKS_BACKEND", "database")]}}
# A run still queued or computing this long after it started has lost its worker: it is
# marked failed (and can be started again). Keep it above the longest run (a city: ~10 s).
DUIBIAO_RUN_TIMEOUT_SECONDS = env_int("DUIBIAO_RUN_TIMEOUT_SECONDS", 600)
# Audit rows are kept this many days at least (180 is the floor: a smaller figure stops
# `duibiao audit purge`); `duibiao audit purge` removes older ones, keeping the chain verifiable.
DUIBIAO_AUDIT_RETENTION_DAYS = env_int("DUIBIAO_AUDIT_RETENTION_DAYS", 180)

# --- Backup and restore (duibiao backup / restore, docs/backup.md) ----------------------------
# Where pg_dump / pg_restore of the server's major version are, when not in Debian's
# /usr/lib/postgresql/<major>/bin or on PATH.
DUIBIAO_PG_BIN = env_str("DUIBIAO_PG_BIN", "")
# A restore unpacks at most this much (and never more than 90 % of the free disk space).
DUIBIAO_BACKUP_MAX_MB = env_int("DUIBIAO_BACKUP_MAX_MB", 100 * 1024)
# Backups are signed (HMAC of the manifest) with this key, and restore refuses a file whose
# signature does not verify. Unset: derived from SECRET_KEY (then restore needs the same one).
DUIBIAO_BACKUP_KEY = env_str("DUIBIAO_BACKUP_KEY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DUIBIAO_LOG_LEVEL", "WARNING")},
}
