"""Django settings: SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so (SPEC.md).

Everything a deployment sets comes from the environment (docs/deploy.md lists each variable):

* ``CERTCREDIT_DEBUG=1`` is **development**: Django's debug pages, and the built-in development ``SECRET_KEY``
  when ``CERTCREDIT_SECRET_KEY`` is not set. ``make run`` (``certcredit serve --dev``) sets it. Anything else is
  production: the web server refuses to start without ``CERTCREDIT_SECRET_KEY`` (``web.wsgi``); the command
  line, which signs nothing, still runs.
* ``CERTCREDIT_HTTPS=1``: the site is served over TLS by a proxy in front (which sets ``X-Forwarded-Proto``):
  secure cookies, HSTS, redirects to https. ``CERTCREDIT_PROXIES=N``: that many proxies in front append to
  ``X-Forwarded-For`` (the address login throttling counts).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("CERTCREDIT_VAR", Path.cwd() / "var"))

DEBUG = os.environ.get("CERTCREDIT_DEBUG", "") == "1"
#: development only (the prefix makes ``check --deploy`` flag it); the web server refuses it outside development
DEVELOPMENT_SECRET_KEY = "django-insecure-" + "certcredit-development-only-never-use-in-production"
SECRET_KEY = os.environ.get("CERTCREDIT_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = os.environ.get("CERTCREDIT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")


def database_from_url(url: str) -> dict[str, Any]:
    """A Django DATABASES entry from ``postgresql://user:pass@host:port/name`` or ``sqlite:///path``."""
    parts = urlparse(url)
    if parts.scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "certcredit",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
        }
    if parts.scheme == "sqlite":
        return sqlite_database(Path(unquote(parts.path)) if parts.path else VAR_DIR / "certcredit.sqlite3")
    raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (use postgresql:// or sqlite:///)")


def sqlite_database(path: Path) -> dict[str, Any]:
    """SQLite in WAL mode with a busy timeout, so readers never block the one writer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # a server worker keeps its connection (opening one costs the PRAGMAs below on every request)
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # how long a write waits for another to finish before failing (a web request then answers 503)
            "timeout": float(os.environ.get("CERTCREDIT_SQLITE_BUSY_TIMEOUT", "20")),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'certcredit.sqlite3'}"))
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja's own static files: /api/docs serves Swagger UI from the app, no CDN (docs/api.md)
    "ninja",
    "axes",
    "certcredit.store.accounts",
    "certcredit.store.catalog",
    "certcredit.store.records",
    "certcredit.store.history",
    "certcredit.store.credentials",
    "certcredit.store.clrm",
    "django_tasks",
    "django_tasks_db",
    "certcredit.store.badges",
    "certcredit.store.standings",
]

AUTH_USER_MODEL = "accounts.Person"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # every error under /api/ as JSON with a message, even the framework's plain-text 405
    "certcredit.web.api_errors.ApiErrorsAsJson",
    "certcredit.web.busy.BusyDatabaseMiddleware",
    # last, as django-axes asks: turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # refuses a sign-in while its account or address is locked out, before the password is checked
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "certcredit.web.urls"
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
            ],
            # the web edge's own filters, registered here because the web edge is not a Django app
            "libraries": {
                "credit": "certcredit.web.templatetags.credit",
                "badge_tags": "certcredit.web.templatetags.badge_tags",
            },
        },
    }
]
WSGI_APPLICATION = "certcredit.web.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("CERTCREDIT_STATIC_ROOT", VAR_DIR / "static"))
# WhiteNoise serves the files ``certcredit serve`` collects into STATIC_ROOT, compressed (gzip and brotli), from
# the app itself: no separate web server is needed for them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("CERTCREDIT_MEDIA", VAR_DIR / "media"))
MEDIA_URL = "/media/"
#: Uploads above this size are refused (evidence files and record files through the web).
FILE_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = FILE_UPLOAD_MAX_BYTES
# E-mail (reminders, application outcomes, password reset): printed on the console unless an SMTP server is set.
EMAIL_BACKEND = os.environ.get("CERTCREDIT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("CERTCREDIT_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CERTCREDIT_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CERTCREDIT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CERTCREDIT_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CERTCREDIT_EMAIL_TLS", "") == "1"
# Open Badges: the site's public address (the issuer's id, the key set and the status lists live under it) and
# the issuer's name shown in each badge. Changing the address later orphans the badges already issued.
CERTCREDIT_PUBLIC_URL = os.environ.get("CERTCREDIT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
CERTCREDIT_ISSUER_NAME = os.environ.get("CERTCREDIT_ISSUER_NAME", "certcredit")
DEFAULT_FROM_EMAIL = os.environ.get("CERTCREDIT_FROM_EMAIL", "certcredit <no-reply@localhost>")

# Record files uploaded on the web page (docs/reliability.md, "Imports and concurrency"): one of at most
# UPLOAD_INLINE_BYTES and UPLOAD_INLINE_ROWS rows is imported in the request; a larger one (up to
# FILE_UPLOAD_MAX_BYTES) waits in UPLOAD_DIR for the background worker (`certcredit worker`), its progress shown.
UPLOAD_INLINE_BYTES = int(os.environ.get("CERTCREDIT_UPLOAD_INLINE_BYTES", 256 * 1024))
UPLOAD_INLINE_ROWS = int(os.environ.get("CERTCREDIT_UPLOAD_INLINE_ROWS", 5_000))
UPLOAD_DIR = Path(os.environ.get("CERTCREDIT_UPLOADS", VAR_DIR / "uploads"))
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LOGIN_URL = "/login/"
LOGOUT_REDIRECT_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "certcredit.web.views.csrf_failure"

# Caches: audits (``services.audits``) are kept here under keys of their inputs, in each worker process: two
# entries an audit (the audit, its JSON), some 10-50 kB each for a member with hundreds of records; past
# MAX_ENTRIES a third of the entries are dropped.
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 1000}}
}

# Passwords: Django's four checks (not like the e-mail or name, at least 10 characters, not a common password,
# not all digits) wherever a password is set through Django's forms (the admin, ``changepassword``).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one account, or from one address,
# sign-ins for it (from it) are refused for AXES_COOLOFF_TIME, even with the right password; the page says so.
AXES_FAILURE_LIMIT = int(os.environ.get("CERTCREDIT_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("CERTCREDIT_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked.html"
AXES_USERNAME_CALLABLE = "certcredit.web.throttle.username"
AXES_CLIENT_IP_CALLABLE = "certcredit.web.throttle.client_ip"
AXES_VERBOSE = False
#: proxies in front that append to X-Forwarded-For (0: the peer's address is the client's)
CERTCREDIT_PROXIES = int(os.environ.get("CERTCREDIT_PROXIES", "0"))

# Content-Security-Policy (django-csp): only the site's own scripts, styles and images (and data: images, which
# the API's documentation page uses); no plug-ins, no framing, forms post only here.
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
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Behind a TLS proxy (CERTCREDIT_HTTPS=1): cookies only over https, HSTS, plain http redirected (but the health
# check, which load balancers call over plain http).
HTTPS = os.environ.get("CERTCREDIT_HTTPS", "") == "1"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("CERTCREDIT_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("CERTCREDIT_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("CERTCREDIT_HSTS_PRELOAD", "1") == "1"
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if host and host != "*"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"certcredit": {"handlers": ["stderr"], "level": "INFO"}},
}
