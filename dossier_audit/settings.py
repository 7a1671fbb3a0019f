"""Settings for dossier_audit, read from the environment (spec/INTERFACES.md).

Strict helpers: a malformed value is an error at start-up, never a silent default.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw in ("1", "true", "True"):
        return True
    if raw in ("0", "false", "False"):
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "dev-insecure-dossier-audit-key-change-me-in-production-0123456789"  # noqa: S105 (refused when DJANGO_DEBUG=0)
DEBUG = env_bool("DJANGO_DEBUG", True)
# Django's technical 404/500 pages (URL list, tracebacks) only when asked for explicitly.
DEBUG_ERROR_PAGES = env_bool("DJANGO_DEBUG_PAGES", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_DEBUG=0 requires DJANGO_SECRET_KEY to be set to a secret value")
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 32 characters in production")

# --- audit log: the HMAC chain's key and its signed checkpoints (issue 11) -----
# The key lives only in the environment, never in the database: without it nobody who can
# write to the database can recompute the chain (README: Security notes).
DEVELOPMENT_AUDIT_LOG_KEY = "dev-insecure-audit-log-key-change-me-in-production-0123456789"
AUDIT_LOG_KEY = os.environ.get("AUDIT_LOG_KEY") or DEVELOPMENT_AUDIT_LOG_KEY
if not DEBUG and AUDIT_LOG_KEY == DEVELOPMENT_AUDIT_LOG_KEY:
    raise ImproperlyConfigured("DJANGO_DEBUG=0 requires AUDIT_LOG_KEY to be set to a secret value")
if not DEBUG and len(AUDIT_LOG_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_LOG_KEY must be at least 32 characters in production")
if not DEBUG and AUDIT_LOG_KEY == SECRET_KEY:
    raise ImproperlyConfigured("AUDIT_LOG_KEY must differ from DJANGO_SECRET_KEY")
# Signed checkpoints (count and last hash) are written here, outside the database and outside
# anything the web server serves; copy them off the machine too (README: Backup and restore).
AUDIT_LOG_CHECKPOINT_DIR = Path(os.environ.get("AUDIT_LOG_CHECKPOINT_DIR") or BASE_DIR / "var" / "audit_log_checkpoints")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "archives",
    "audits",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "dossier_audit.middleware.PrivatePagesNoStoreMiddleware",
    "dossier_audit.middleware.FriendlyErrorPagesMiddleware",
]

ROOT_URLCONF = "dossier_audit.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "archives.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "dossier_audit.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests and the inline worker share the file: wait rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- login lockout and session timeouts (issue 11; archives/login_security.py) ------------
# django-axes: LOGIN_FAILURE_LIMIT failed logins for one username, or from one address, lock
# that username or that address for LOGIN_LOCKOUT_MINUTES (README: Security notes). axes goes
# before archives so that its receivers run first and the audit log sees the lockout.
INSTALLED_APPS.insert(INSTALLED_APPS.index("archives"), "axes")
AUTHENTICATION_BACKENDS = ["archives.login_security.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
MIDDLEWARE += ["archives.login_security.SessionTimeoutMiddleware", "axes.middleware.AxesMiddleware"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks it
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # locked for 30 minutes from the lockout
# A success does not clear earlier failures: it would let someone with an account of their own
# clear their address's count between guesses at another's password. Failures expire instead.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "archives.login_security.lockout_response"  # registration/locked_out.html, 429
AXES_DISABLE_ACCESS_LOG = True  # successful logins are already in the audit log
AXES_CLIENT_IP_CALLABLE = "archives.login_security.client_ip"
AXES_VERBOSE = False  # no banner on every manage.py command; failures are still logged as warnings
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (0: REMOTE_ADDR is the client).
CLIENT_IP_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)
# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_ABSOLUTE_TIMEOUT
# seconds after login whatever the activity (DJANGO_SESSION_AGE, also the cookie's server-side age).
SESSION_IDLE_TIMEOUT = env_int("DJANGO_SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = SESSION_COOKIE_AGE

# --- HTTPS in production: redirect and HSTS (issue 11) ------------------------------------
# On whenever DJANGO_DEBUG=0; DJANGO_HTTPS=0 turns both off for a plain-HTTP intranet test (with
# DJANGO_SECURE_COOKIES=0), never in production. Behind a TLS-terminating proxy, set
# DJANGO_PROXY_SSL_HEADER=1 so that Django knows the request came in over HTTPS.
if not DEBUG:
    HTTPS = env_bool("DJANGO_HTTPS", True)
    SECURE_SSL_REDIRECT = HTTPS
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # monitors probe it on the plain port
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600) if HTTPS else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    if env_bool("DJANGO_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_HSTS_PRELOAD:
        # security.W021 asks for `preload`, which only matters for a public domain submitted to
        # the browsers' preload list; an intranet host cannot be. DJANGO_HSTS_PRELOAD=1 if yours is.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates on pages in one style per language: "2027年3月2日" / "2 Mar 2027" (dossier_audit/formats).
FORMAT_MODULE_PATH = ["dossier_audit.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"  # never served directly: scans and uploads go through access-checked views

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- background jobs -------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message a worker took and never acknowledged (the worker was killed, the machine lost power)
# goes back to the queue this many seconds after it was delivered; a worker sweeps for such
# messages every few seconds. Longer than any import or report takes, or a slow one would be
# handed to a second worker while the first still runs (the import services are safe even then).
_visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    "unacked_restore_interval": max(1, min(10, _visibility_timeout // 4)),
    "unacked_restore_throttle": 1,
}
# With Redis down, queueing a task fails within about a second (the page says so) instead of the
# result backend retrying for 20 s; a worker's own connection errors are retried by Celery anyway.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2

# Progress of background work is read by every web process and written by the worker: with a
# broker, the cache is Redis too; without one everything runs in this process.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dossier_audit",
            "OPTIONS": {"socket_connect_timeout": 2},  # an unreachable Redis fails fast, it does not hang the page
        }
    }

# --- imports (IMPORT_FORMATS.md) ---------------------------------------------
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 500 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
# Parts (files) in the workbook's zip: a real three-sheet workbook has about 15. Checked from
# the zip's directory in the upload request, before anything is decompressed.
IMPORT_MAX_PARTS = env_int("IMPORT_MAX_PARTS", 200)
# Tests only (archives/tests/test_import_worker_faults.py): a folder where an import's write
# phase announces itself and waits while a `hold` file exists, so a worker can be killed there.
IMPORT_TEST_PAUSE_DIR = os.environ.get("DA_TEST_IMPORT_PAUSE_DIR", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- detection thresholds (DETECTION_RULES.md) -------------------------------
DETECTION = {
    "WORK_MIN_AGE": env_int("DETECTION_WORK_MIN_AGE", 16),
    "PARTY_MIN_AGE": env_int("DETECTION_PARTY_MIN_AGE", 18),
    "PARTY_APPLICATION_MIN_MONTHS": env_int("DETECTION_PARTY_APPLICATION_MIN_MONTHS", 12),
    "EXPERIENCE_MAX_GAP_MONTHS": env_int("DETECTION_EXPERIENCE_MAX_GAP_MONTHS", 6),
    "EXPERIENCE_MAX_OVERLAP_MONTHS": env_int("DETECTION_EXPERIENCE_MAX_OVERLAP_MONTHS", 1),
    "WORK_GRADUATION_TOLERANCE_MONTHS": env_int("DETECTION_WORK_GRADUATION_TOLERANCE_MONTHS", 1),
    "NESTED_PERIOD_TOLERANCE_MONTHS": env_int("DETECTION_NESTED_PERIOD_TOLERANCE_MONTHS", 1),
}

# Campaigns larger than this generate reports in the background.
REPORT_INLINE_MAX_CASES = env_int("REPORT_INLINE_MAX_CASES", 2000)
# A batch of 认定表 of more cases than this is generated as a job with a progress page.
REPORT_SHEETS_INLINE_MAX_CASES = env_int("REPORT_SHEETS_INLINE_MAX_CASES", 50)
# 利用干部档案登记簿: repeated views of a dossier by one user for one purpose within this many
# hours are one opening (one row); 0 means the working day (until local midnight).
DOSSIER_USE_WINDOW_HOURS = env_int("DOSSIER_USE_WINDOW_HOURS", 0)

# Faces of the summary report (公文, GB/T 9704): a .ttf/.ttc path each, `file.ttc#N` or
# `file.ttc#Face Name` for one face of a collection. The defaults are free Debian faces that
# `make sysdeps` installs; an office sets its own 方正小标宋, 仿宋_GB2312, 黑体 and 楷体_GB2312.
REPORT_FONT_TITLE = os.environ.get("REPORT_FONT_TITLE") or "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"
REPORT_FONT_BODY = os.environ.get("REPORT_FONT_BODY") or "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"
REPORT_FONT_HEADING = os.environ.get("REPORT_FONT_HEADING") or "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0"
REPORT_FONT_KAI = os.environ.get("REPORT_FONT_KAI") or "/usr/share/fonts/truetype/arphic/ukai.ttc#AR PL UKai CN"
REPORT_FONT_SONG = os.environ.get("REPORT_FONT_SONG") or "/usr/share/fonts/truetype/arphic/uming.ttc#AR PL UMing CN"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
# axes reports each failed login and lockout as a warning; its per-request INFO lines are noise.
LOGGING["loggers"] = {"axes": {"level": "WARNING"}}

# Content-Security-Policy (django-csp): everything from the product itself; no inline script or
# style (computed positions are applied by static/js/layout.js); nothing may frame the pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Bootstrap draws form controls with data: SVGs
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
