"""Settings for the newsroom claim annotator.

Every deployment setting comes from the environment (see `.env.example`). The defaults are
safe for production (DEBUG off, a secret key required); `make run` switches DEBUG on.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from annotations.siteurl import clean_site_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)
# One switch for a TLS deployment: HSTS, secure cookies, SSL redirect, proxy headers.
HTTPS = env_bool("HTTPS", False)


def _command_needs_no_secret() -> bool:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    return Path(sys.argv[0]).name == "manage.py" and command in {
        "makemigrations", "showmigrations", "sqlmigrate", "collectstatic",
        "makemessages", "compilemessages", "compile_catalogues",
    }  # fmt: skip


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only
    elif env_bool("BUILDING_IMAGE") or _command_needs_no_secret():
        # `collectstatic` while building the Docker image, or a management command that
        # only reads the models (makemigrations --check): no secret is used there. A server
        # (gunicorn, runserver) never takes this path.
        SECRET_KEY = "image-build-throwaway-key"  # noqa: S105
    else:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    # What Django's own check (security.W009) calls weak only warns; a server signing
    # sessions and CSRF tokens with it must not start.
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: use 50 or more random characters, for example from "
        '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Absolute base for ids in exports (JSON-LD, ClaimReview); no trailing slash. No default:
# unset, the web exports use the request's own scheme and host, and the export command
# asks for --site-url.
try:
    SITE_URL = clean_site_url(os.environ.get("SITE_URL", ""))
except ValueError as exc:
    raise ImproperlyConfigured(f"SITE_URL: {exc}") from exc
# The desk that signs ClaimReview exports.
DESK_NAME = os.environ.get("DESK_NAME", "Newsroom verification desk")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "annotations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "annotations.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the browser's Accept-Language, or the language cookie that the menu's
    # switcher sets (Django's set_language); UserLanguageMiddleware then applies a signed-in
    # user's own choice, kept on their profile. URLs carry no language prefix.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "annotations.middleware.UserLanguageMiddleware",
    "annotations.middleware.LoginRequiredMiddleware",
    "annotations.middleware.RoleRequiredMiddleware",
    "annotations.middleware.RequestBytesMiddleware",
    "annotations.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# A correction's "what changed" note and a merge's list of names are kept whole in the
# history, not cut at simple-history's default 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "annotations.context_processors.site",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at the
    # start of a transaction, so two editors never meet "database is locked" half-way.
    # Connections are kept between requests (CONN_MAX_AGE, as on PostgreSQL): opening one
    # costs Django about 2.5 ms here (its SQL functions registered, the PRAGMAs run), a
    # tenth of a claim save. `make run`'s runserver, a thread per request, sets 0.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    # Fail fast when PostgreSQL is unreachable instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DB_CONNECT_TIMEOUT", 5
    )
    # Prepared statements: psycopg prepares a statement the connection has run
    # DB_PREPARE_THRESHOLD times (5), so PostgreSQL plans it once, not on every request
    # (Django turns this off by default, for poolers). A claim save, a dozen statements,
    # went from 10.5 ms to 9.2 ms here. Behind a pooler in transaction mode (PgBouncer
    # before 1.21, say), set DB_PREPARE_THRESHOLD=0: no statement is prepared.
    _prepare = max(env_int("DB_PREPARE_THRESHOLD", 5), 0) or None
    DATABASES["default"]["OPTIONS"].update(
        server_side_binding=_prepare is not None, prepare_threshold=_prepare
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "annotations.backends.ModelBackendOneQuery",
]
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "annotations.views.common.csrf_failure"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False
# The reverse proxies in front of gunicorn (docker compose's nginx is one; a TLS proxy in
# front of it makes two): the client's address is read from X-Forwarded-For past them
# (annotations.clientip), for the lockouts and the API's limits. 0: no proxy, the header is
# ignored. Default: 1 with HTTPS=1 behind a proxy, else 0; docker compose sets 1.
PROXY_COUNT = env_int("PROXY_COUNT", 1 if HTTPS and env_bool("BEHIND_PROXY", True) else 0)
AXES_CLIENT_IP_CALLABLE = "annotations.clientip.client_ip"

# The interface's languages: exactly these two. A desk adds one here and in the catalogues
# (README, "Translating the interface"). Each language is named in its own words in the
# switcher; these names are for the admin's profile form.
LANGUAGES = [("en", _("English")), ("uk", _("Ukrainian"))]
# The desk's own language: for a browser that asks for none we offer, for management
# commands and for the background jobs' messages. One of LANGUAGES.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}.")
# One catalogue for the app, the project's templates and the static scripts, kept inside the
# app (the top level is fixed by the product card, and the image copies annotations/ whole).
# The .po files are committed; the .mo files are built (`manage.py compile_catalogues`).
LOCALE_PATHS = [BASE_DIR / "annotations" / "locale"]
# Our own date formats (newsroom/formats/<language>/formats.py): templates write
# `|date:"DATE_FORMAT"`, never a pattern with month names in it.
FORMAT_MODULE_PATH = ["newsroom.formats"]
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("PLAIN_STATIC_STORAGE")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads are read into the database, never kept on disk.
ARTICLE_UPLOAD_MAX_BYTES = env_int("ARTICLE_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
# The bulk import page (bigger files go through `manage.py import_articles`).
BULK_IMPORT_MAX_BYTES = env_int("BULK_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Form fields (a pasted or previewed body) and files are read into memory up to these.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(ARTICLE_UPLOAD_MAX_BYTES * 4, 2_621_440)  # %-encoding
FILE_UPLOAD_MAX_MEMORY_SIZE = max(ARTICLE_UPLOAD_MAX_BYTES, BULK_IMPORT_MAX_BYTES) + 64 * 1024
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# Fetching articles from a URL: refuse private and loopback addresses unless allowed (tests).
URL_IMPORT_ALLOW_PRIVATE = env_bool("URL_IMPORT_ALLOW_PRIVATE", False)
# With URL_IMPORT_ALLOW_PRIVATE: only these exact host:port pairs ("127.0.0.1:8765"), when
# given; every other private address is still refused, on every redirect too.
URL_FETCH_ALLOW = env_list("URL_FETCH_ALLOW", "")
URL_IMPORT_CONNECT_TIMEOUT = float(os.environ.get("URL_IMPORT_CONNECT_TIMEOUT", "5"))
URL_IMPORT_READ_TIMEOUT = float(os.environ.get("URL_IMPORT_READ_TIMEOUT", "10"))
URL_IMPORT_MAX_REDIRECTS = env_int("URL_IMPORT_MAX_REDIRECTS", 5)
# Webhook deliveries (annotations/services/webhooks.py): each POST's timeout (seconds) and
# how many attempts a delivery gets (with JOBS_BACKOFF_SECONDS between them) before failing.
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)

# Background jobs (annotations/jobs.py): Django's tasks API (django-tasks) with its jobs
# stored in this same database (django-tasks-db), run by `manage.py run_worker`. Tests use
# the same backend: an enqueued job waits in the table until a worker, or `run_due_jobs`,
# runs it.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # "evidence": capturing and re-checking evidence links, slow outside fetches kept
        # apart so that a desk can give them workers of their own; "webhooks": the desk's
        # events sent to the endpoints admins registered (a slow receiver waits alone).
        "QUEUES": ["default", "evidence", "webhooks"],
    }
}
# A job that raises a retryable error runs again after these delays (seconds; the last one
# repeats), up to JOBS_MAX_ATTEMPTS attempts in all.
JOBS_BACKOFF_SECONDS = [int(s) for s in env_list("JOBS_BACKOFF_SECONDS", "60,300,1800,7200")]
JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 6)
# How often a worker says it is alive and enqueues the periodic jobs that are due.
JOBS_HEARTBEAT_SECONDS = env_int("JOBS_HEARTBEAT_SECONDS", 30)
# A job still running after this long, on a worker silent for as long, is taken for lost
# (the worker crashed or was killed): the sweep marks it failed and retries it.
JOBS_STALE_SECONDS = env_int("JOBS_STALE_SECONDS", 900)
# Periodic jobs: the job's dotted path -> seconds between runs. The workers enqueue each when
# it is due, once however many workers run.
PERIODIC_JOBS = {
    "annotations.jobs.sweep_lost_jobs": env_int("JOBS_SWEEP_SECONDS", 300),
    "annotations.jobs.prune_finished_jobs": 24 * 3600,
    "annotations.services.evidence.schedule_evidence_rechecks": env_int(
        "EVIDENCE_SCAN_SECONDS", 300
    ),
}
# Results of finished jobs (succeeded or failed) are deleted after this many days.
JOBS_KEEP_DAYS = env_int("JOBS_KEEP_DAYS", 14)

# Evidence capture (annotations/services/evidence.py): each claim's evidence link is fetched
# in the background (timeouts and redirects as for URL import), kept up to this size, and
# re-checked every EVIDENCE_RECHECK_SECONDS for EVIDENCE_RECHECK_DAYS after its capture.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
EVIDENCE_TOTAL_TIMEOUT = float(os.environ.get("EVIDENCE_TOTAL_TIMEOUT", "30"))
EVIDENCE_RECHECK_SECONDS = env_int("EVIDENCE_RECHECK_SECONDS", 24 * 3600)
EVIDENCE_RECHECK_DAYS = env_int("EVIDENCE_RECHECK_DAYS", 30)

# Security headers. HTTPS=1 (above) switches on everything a TLS deployment needs.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
if HTTPS and env_bool("BEHIND_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD or not HTTPS else ["security.W021"]

# Caches: each process's own memory by default; the API's rate limits in the database, which
# every process (gunicorn workers, containers) shares. `createcachetable` runs in a migration.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "api_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

# The REST API (/api/v1/, annotations/api): JSON only (no browsable API, whose inline script
# the CSP blocks), a personal token or the session (with CSRF), a role on every endpoint,
# RFC 9457 problems for every refusal, requests per token limited (API_RATE, e.g. 600/min).
API_RATE = os.environ.get("API_RATE", "600/min")
API_THROTTLE_CACHE = "api"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotations.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["annotations.api.auth.HasRole"],
    "DEFAULT_THROTTLE_CLASSES": ["annotations.api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["annotations.api.parsers.JsonParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotations.api.problems.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom claim annotator API",
    "DESCRIPTION": (
        "Articles, claims, sources and exports. Offsets are Unicode code points into the "
        "article's body; times are ISO 8601. Send a personal token as "
        "`Authorization: Bearer nca_…`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["annotations.api.auth.HasRole"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for each choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "LabelEnum": "annotations.models.Label",
        "CredibilityEnum": "annotations.models.Credibility",
        "ArticleStatusEnum": "annotations.models.Article.Status",
        "JobStatusEnum": "annotations.models.UrlImport.Status",
        "SourceKindEnum": "annotations.models.SourceKind",
        "ReviewStatusEnum": "annotations.models.Source.Review",
    },
}

# Content-Security-Policy (django-csp): no inline scripts, no eval, no third parties.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
if not env_bool("CSP_ENABLED", True):
    CONTENT_SECURITY_POLICY = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "filters": {"planned_retries": {"()": "annotations.logfilters.PlannedRetryLog"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG) plus the root's printed everything twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # A planned retry is one line, not a traceback (annotations.logfilters).
        "django_tasks": {"filters": ["planned_retries"]},
    },
}
