"""Django settings: SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so (SPEC.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("CERTCREDIT_VAR", Path.cwd() / "var"))

DEBUG = os.environ.get("CERTCREDIT_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("CERTCREDIT_SECRET_KEY") or "insecure-local-only-" + "certcredit-dev-key-change-me"
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
        "OPTIONS": {
            "timeout": 20,
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
    "certcredit.store.accounts",
    "certcredit.store.catalog",
    "certcredit.store.records",
    "certcredit.store.history",
    "certcredit.store.credentials",
    "certcredit.store.clrm",
    "django_tasks",
    "django_tasks_db",
    "certcredit.store.badges",
]

AUTH_USER_MODEL = "accounts.Person"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # every error under /api/ as JSON with a message, even the framework's plain-text 405
    "certcredit.web.api_errors.ApiErrorsAsJson",
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
STATIC_ROOT = VAR_DIR / "static"
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"certcredit": {"handlers": ["stderr"], "level": "INFO"}},
}
