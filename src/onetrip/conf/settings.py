"""Settings, all from the environment (ONETRIP_*). See docs/operations.md."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from onetrip.conf.checks import require_shared_keys

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"ONETRIP_{name}", default)


def _env_number(name: str, default: str, kind: type, minimum: float | None):
    value = env(name, default).strip() or default
    try:
        number = kind(value)
    except ValueError:
        what = "整数" if kind is int else "数字"
        raise ImproperlyConfigured(f"ONETRIP_{name} 应为{what}，现为“{value}”。") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"ONETRIP_{name} 至少为 {minimum}，现为 {value}。")
    return number


def env_int(name: str, default: str, minimum: int | None = None) -> int:
    """An integer setting; a value that is not one stops the process with its name."""
    return _env_number(name, default, int, minimum)


def env_float(name: str, default: str, minimum: float | None = None) -> float:
    return _env_number(name, default, float, minimum)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("DATA_DIR") or Path.cwd() / "var").resolve()


def _secret_key() -> str:
    """ONETRIP_SECRET_KEY, or a key kept in the data directory for the embedded default."""
    if env("SECRET_KEY"):
        return env("SECRET_KEY")
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key
    except OSError:
        return secrets.token_urlsafe(50)


# Every command and process on a shared database needs the keys every node shares.
require_shared_keys()
SECRET_KEY = _secret_key()
ONETRIP_FIELD_KEY = env("FIELD_KEY")
DEBUG = env_bool("DEBUG", False)
# Proxies (load balancers) in front of every node that append to X-Forwarded-For; the client's
# address for rate limits and the audit trail is then read from there (onetrip.core.clientaddr).
ONETRIP_TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", "0", minimum=0)
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "onetrip.core",
    "onetrip.accounts",
    "onetrip.catalog",
    "onetrip.audit",
    "onetrip.notifications",
    "onetrip.applications",
    "onetrip.supervision",
    "onetrip.stats",
    "onetrip.exchange",
    "onetrip.workbench",
    "onetrip.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onetrip.core.middleware.ChosenLanguageMiddleware",
    "onetrip.core.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "onetrip.conf.urls"
WSGI_APPLICATION = "onetrip.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onetrip.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite (WAL) in the data directory unless ONETRIP_DATABASE_URL names another.
# SQLite goes through onetrip's backend, whose flush respects the append-only audit table.
SQLITE_ENGINE = "onetrip.core.db.backends.sqlite3"
if env("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["ENGINE"] = SQLITE_ENGINE
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "onetrip.core.db.backends.postgresql"
else:
    DATABASES = {
        "default": {
            "ENGINE": SQLITE_ENGINE,
            "NAME": DATA_DIR / "onetrip.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Cache: local memory by default, Redis when ONETRIP_REDIS_URL is set.
if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
with contextlib.suppress(OSError):  # WhiteNoise serves from the finders; keep it quiet.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or DATA_DIR / "files")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if ONETRIP_TRUSTED_PROXIES > 0:  # TLS ends at the load balancer, which says so in this header
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", "0", minimum=0)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "onetrip.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": [
        "onetrip.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "onetrip.core.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "onetrip API",
    "DESCRIPTION": "最多跑一次 government services: the public item catalogue (事项清单) and its "
    "management. Errors are RFC 9457 problem documents with a stable `code`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "onetrip.core.openapi.problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LimitUnitEnum": "onetrip.catalog.models.LimitUnit",
        "DeliveryMethodEnum": "onetrip.applications.models.Application.Delivery",
        "ApplicationStatusEnum": "onetrip.applications.workflow.Status",
        "VersionStatusEnum": "onetrip.catalog.models.ItemVersion.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One line per record, with the time, level and logger, for any log collector.
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# The embedded demo shows sandbox SMS codes and staff TOTP codes on screen. Never in production.
ONETRIP_DEMO = env_bool("DEMO", default=not env("DATABASE_URL"))
LOGIN_URL = "/login/"
ONETRIP_BENCH_FLOOR = env_bool("BENCH_FLOOR", False)
ONETRIP_UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024), minimum=1)
# The longest 委托 a window may record, in years from its start (the document states the period).
ONETRIP_AUTHORISATION_MAX_YEARS = env_int("AUTHORISATION_MAX_YEARS", "5")

ONETRIP = {
    "SITE_NAME": _("兰州市人力资源和社会保障局 政务服务"),
    "SERVICE_HOTLINE": env("SERVICE_HOTLINE", "12333"),
    "COMPLAINT_HOTLINE": env("COMPLAINT_HOTLINE", "12345"),
}

# API tokens (Authorization: Token …) sign in for this many days after they are issued; then
# the applicant signs in again with a code, and a staff token is deleted and added again in
# the admin (认证令牌).
ONETRIP_API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", "30", minimum=1)

# --- notifications (onetrip.notifications) --------------------------------------------------
# Channel implementations: "sandbox" stores what would be sent (the demo shows it); e-mail may
# be "smtp" (Django's EMAIL_BACKEND, SMTP by default, configured below).
ONETRIP_SMS_CHANNEL = env("SMS_CHANNEL", "sandbox")
ONETRIP_EMAIL_CHANNEL = env("EMAIL_CHANNEL", "sandbox")
ONETRIP_OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", "8", minimum=1)
ONETRIP_OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", "300", minimum=1)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", "25")
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", "30")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "onetrip@localhost")
# --- end notifications ----------------------------------------------------------------------

# --- supervision (onetrip.supervision) ------------------------------------------------------
# Yellow card: this share of the promised limit elapsed, or this many working days left.
ONETRIP_CARD_YELLOW_SHARE = env_float("CARD_YELLOW_SHARE", "0.9")
ONETRIP_CARD_YELLOW_DAYS_BEFORE = env_int("CARD_YELLOW_DAYS_BEFORE", "1")
# A one-time correction notice later than this many working days after receipt is irregular.
ONETRIP_CORRECTION_NOTICE_DAYS = env_int("CORRECTION_NOTICE_DAYS", "5")
# The applicant's time to answer a correction notice, in working days, unless the officer sets
# a date; when it has passed unanswered the application may be closed (补正超时驳回).
ONETRIP_CORRECTION_ANSWER_DAYS = env_int("CORRECTION_ANSWER_DAYS", "20", minimum=1)
# A refusal or denial whose reason is shorter than this counts as given without reasons.
ONETRIP_MIN_REASON_CHARS = env_int("MIN_REASON_CHARS", "10")
# 延期: at most this many days in total per application (行政许可法 §42: 十日).
ONETRIP_EXTENSION_MAX_DAYS = env_int("EXTENSION_MAX_DAYS", "10")

# --- exchange (onetrip.exchange): department registries, signed requests and responses ------
# The connector talks to a registry at EXCHANGE_URL, signing as EXCHANGE_CLIENT_ID with the
# private key EXCHANGE_CLIENT_KEY, and trusts answers signed by EXCHANGE_SERVER_KEY (a public
# key). The embedded default generates both key pairs under DATA_DIR/exchange on first run and
# `onetrip serve` starts the sandbox registries on SANDBOX_PORT. See docs/operations.md.
ONETRIP_EXCHANGE_KEY_DIR = Path(env("EXCHANGE_KEY_DIR") or DATA_DIR / "exchange")
ONETRIP_SANDBOX_PORT = env_int("SANDBOX_PORT", "8765")
# Synthetic registries are for the embedded demo only: never started by default in production.
ONETRIP_SANDBOX_EMBEDDED = env_bool(
    "SANDBOX_EMBEDDED", default=not env("EXCHANGE_URL") and not env("DATABASE_URL")
)
ONETRIP_SANDBOX_PEOPLE = env_int("SANDBOX_PEOPLE", "30000")
ONETRIP_SANDBOX_ENTERPRISES = env_int("SANDBOX_ENTERPRISES", "3000")
ONETRIP_SANDBOX_SEED = env_int("SANDBOX_SEED", "20260101")
ONETRIP_EXCHANGE_URL = env("EXCHANGE_URL", f"http://127.0.0.1:{ONETRIP_SANDBOX_PORT}")
ONETRIP_EXCHANGE_CLIENT_ID = env("EXCHANGE_CLIENT_ID", "onetrip-lz-rsj")
ONETRIP_EXCHANGE_CLIENT_KEY = env("EXCHANGE_CLIENT_KEY") or str(
    ONETRIP_EXCHANGE_KEY_DIR / "client.key"
)
ONETRIP_EXCHANGE_SERVER_ID = env("EXCHANGE_SERVER_ID", "lz-registry-sandbox")
ONETRIP_EXCHANGE_SERVER_KEY = env("EXCHANGE_SERVER_KEY") or str(
    ONETRIP_EXCHANGE_KEY_DIR / "sandbox.pub"
)
# The registry's retired public keys, kept after a key rotation so evidence it signed before
# stays verifiable: files or directories (of *.pub / *.pem), separated by the path separator
# (":" on Linux). Tried for stored evidence only, never for a new answer.
ONETRIP_EXCHANGE_SERVER_KEYS_RETIRED = [
    p.strip() for p in env("EXCHANGE_SERVER_KEYS_RETIRED").split(os.pathsep) if p.strip()
]
ONETRIP_EXCHANGE_TIMEOUT = env_float("EXCHANGE_TIMEOUT", "3")
ONETRIP_EXCHANGE_BREAKER_FAILURES = env_int("EXCHANGE_BREAKER_FAILURES", "5")
ONETRIP_EXCHANGE_BREAKER_SECONDS = env_int("EXCHANGE_BREAKER_SECONDS", "30")
ONETRIP_EXCHANGE_FRESHNESS_SECONDS = env_int("EXCHANGE_FRESHNESS_SECONDS", str(24 * 3600))
ONETRIP_EXCHANGE_MAX_SKEW = env_int("EXCHANGE_MAX_SKEW", "300")
# --- end exchange ---------------------------------------------------------------------------
