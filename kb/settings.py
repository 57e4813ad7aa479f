"""Settings for kb, read from the environment (see README, "Configuration")."""

import os
import re
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}.")


DEBUG = env_bool("DEBUG", False)

# KB_ENV=production turns on every protection below and refuses a missing or weak
# SECRET_KEY. It is the default when DEBUG is set to false explicitly and when the app
# is served through kb.wsgi (gunicorn); manage.py, the tests and `make run` default to
# development, which serves plain http on 127.0.0.1.
KB_ENV = os.environ.get("KB_ENV") or ("production" if os.environ.get("DEBUG") is not None and not DEBUG else "")
KB_ENV = KB_ENV or "development"
if KB_ENV not in {"production", "development"}:
    raise ImproperlyConfigured(f"KB_ENV must be production or development, got {KB_ENV!r}.")
PRODUCTION = KB_ENV == "production"
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be false when KB_ENV is production.")

DEVELOPMENT_SECRET_KEY = "kb-insecure-development-key-set-SECRET_KEY-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION and (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure")
    or SECRET_KEY == DEVELOPMENT_SECRET_KEY
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to at least 50 random characters in production (KB_ENV=production), e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
# A fixed development key: never used when SECRET_KEY is set, refused in production.
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "kb.apps.KbConfig",
]
# The development tools (kbdev: synth_kb, load_check, eval_ingest) are installed wherever
# kb runs as development, which is what manage.py, the tests, make bench, make load and
# make eval-ingest run as, and never in production (KB_ENV=production): a deployment
# has no command that bulk-writes synthetic rows or serves a load test.
if not PRODUCTION:
    INSTALLED_APPS.append("kbdev.apps.KbdevConfig")

MIDDLEWARE = [
    # First, so every log line of the request, and its answer's X-Request-ID, carry its id.
    "log_request_id.middleware.RequestIDMiddleware",
    # Above WhiteNoise, SecurityMiddleware and CommonMiddleware, so that static files and the
    # redirects those answer (https, a missing slash) carry the policy too.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it turns any lockout raised below it into a 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kb.urls"

# Logging: one JSON line per record on stderr, each with the id of the request it came from
# (also sent as the X-Request-ID header, so a user's report can be found in the log). Server
# errors (django.request, level ERROR) carry their traceback in "exc_info"; 4xx answers are not
# logged. KB_REQUEST_ID_HEADER names a header a trusted proxy sets (e.g. HTTP_X_REQUEST_ID) whose
# id is kept instead of a new one; KB_LOG_LEVEL sets the level of everything else.
LOG_REQUEST_ID_HEADER = os.environ.get("KB_REQUEST_ID_HEADER") or None
GENERATE_REQUEST_ID_IF_NOT_IN_HEADER = True
REQUEST_ID_RESPONSE_HEADER = "X-Request-ID"
KB_LOG_LEVEL = os.environ.get("KB_LOG_LEVEL", "WARNING").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "log_request_id.filters.RequestIDFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json",
            "level": KB_LOG_LEVEL,
        },
    },
    "root": {"handlers": ["stderr"], "level": KB_LOG_LEVEL},
    "loggers": {"django.request": {"level": "ERROR"}},
}
WSGI_APPLICATION = "kb.wsgi.application"

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
                "kb.web.context.editor",
            ],
        },
    },
]

# DATABASE_URL selects the database; unset means a SQLite file beside manage.py.
_CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'kb.sqlite3'}",
        conn_max_age=_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock (up to 20 s) instead of failing at once;
    # IMMEDIATE transactions take the write lock up front, so no deadlock-by-upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# DATABASE_REPLICA_URLS: comma-separated URLs of PostgreSQL read replicas (streaming standbys) of
# the primary, read like DATABASE_URL, as the databases replica1, replica2… Reads go to them in
# turn; writes, reads inside a transaction and a writer's reads for KB_REPLICA_PIN_SECONDS after
# a write go to the primary (kb/replicas.py; docs/deployment.md, "Read replicas"). Unset: one database, no router.
REPLICA_DATABASES = []
for _number, _url in enumerate(
    (url.strip() for url in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if url.strip()), start=1
):
    _replica = dj_database_url.parse(_url, conn_max_age=_CONN_MAX_AGE, conn_health_checks=True)
    if _replica["ENGINE"] != "django.db.backends.postgresql" or DATABASES["default"]["ENGINE"] != _replica["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS names PostgreSQL replicas of a PostgreSQL DATABASE_URL, got "
            f"{_replica['ENGINE']} replica #{_number} of {DATABASES['default']['ENGINE']}."
        )
    # The tests read a replica's alias from the primary's test database (which streams to a real one).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    REPLICA_DATABASES.append(f"replica{_number}")
KB_REPLICA_PIN_SECONDS = int(os.environ.get("KB_REPLICA_PIN_SECONDS", "15"))
if REPLICA_DATABASES:
    DATABASE_ROUTERS = ["kb.replicas.ReplicaRouter"]
    # After AuthenticationMiddleware (it checks the session's user's pin); nothing above it reads.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "kb.replicas.ReplicaPinMiddleware",
    )
    MULTIDB_PINNING_COOKIE = "kb_primary"
    MULTIDB_PINNING_SECONDS = KB_REPLICA_PIN_SECONDS
    MULTIDB_PINNING_COOKIE_HTTPONLY = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "kb" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("KB_MANIFEST_STATIC", PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Knox's tokens; a user who wrote lately reads from the primary (kb/replicas.py).
        "kb.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kb.api.permissions.IsEditorOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "kb.api.pagination.KbPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["kb.api.throttles.AnonymousThrottle"],
    # Whose address the throttle counts: the connecting one, unless KB_TRUSTED_PROXIES proxies
    # (a load balancer, a TLS terminator) stand in front and each appends to X-Forwarded-For.
    # A client's own X-Forwarded-For is never believed.
    "NUM_PROXIES": int(os.environ.get("KB_TRUSTED_PROXIES", "0")),
    "EXCEPTION_HANDLER": "kb.api.exceptions.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "kb.api.renderers.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "kb.api.schema.KbAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PARSER_CLASSES": [
        "kb.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# Bounds on a request body: how deep JSON may nest, and how many ids one related-records list
# (subjects, participants, evidence, authors, parties, provisions) may give.
KB_API_MAX_JSON_DEPTH = 32
KB_API_MAX_IDS = 200
# API tokens (django-rest-knox, model kb.ApiToken): a SHA-512 digest is stored, the secret is
# shown once. A new token lasts KB_TOKEN_DAYS days (0: until revoked); its owner names it and
# revokes it in the admin ("API tokens") or with create_editor.
KNOX_TOKEN_MODEL = "kb.ApiToken"
# Knox's own migrations create its default token table even when the model is swapped for ours,
# a table nothing uses that would hold a foreign key to auth_user; they are not run.
MIGRATION_MODULES = {"knox": None}
KB_TOKEN_DAYS = int(os.environ.get("KB_TOKEN_DAYS", "365"))
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=KB_TOKEN_DAYS) if KB_TOKEN_DAYS > 0 else None,
    "AUTH_HEADER_PREFIX": "Token",
}
# Anonymous API requests per client address ("300/minute"); empty turns throttling off.
KB_API_ANON_RATE = os.environ.get("KB_API_ANON_RATE", "300/minute")
# Django's cache holds the API throttle's counts and whole-base reads (kb/selectors/cache.py).
# KB_CACHE_URL=redis://127.0.0.1:6379/1 shares it between app servers and workers (production);
# without it (or REDIS_URL, read when KB_CACHE_URL is unset) each process keeps its own in
# memory, which is right for one process.
KB_CACHE_URL = os.environ.get("KB_CACHE_URL") or os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": KB_CACHE_URL}
        if KB_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kb"}
    )
}
# Sessions: with a shared cache they are read from it and written through to the database, so
# every server finds a login at once and a restart of Redis logs no one out.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if KB_CACHE_URL else "db")
# How long a cached whole-base read is kept; a write to the data makes it unreachable at once.
KB_CACHE_SECONDS = int(os.environ.get("KB_CACHE_SECONDS", "600"))

SPECTACULAR_SETTINGS = {
    "TITLE": "kb API",
    "DESCRIPTION": "A claims-first knowledge base on Russia–North Korea relations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ActorKindEnum": "kb.choices.ActorKind",
        "SourceKindEnum": "kb.choices.SourceKind",
        "EventKindEnum": "kb.choices.EventKind",
        "AgreementKindEnum": "kb.choices.AgreementKind",
        "ProvisionKindEnum": "kb.choices.ProvisionKind",
        "ClaimStatusEnum": "kb.choices.ClaimStatus",
        "AgreementStatusEnum": "kb.choices.AgreementStatus",
        "TransferStatusEnum": "kb.choices.TransferStatus",
    },
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kb.api.schema.add_error_responses",
    ],
}

# Ingest refuses files larger than this (bytes).
KB_INGEST_MAX_BYTES = int(os.environ.get("KB_INGEST_MAX_BYTES", str(2 * 1024 * 1024)))

# --- Security, served files and limits (docs/deployment.md) ----------------------
# Development serves static files straight from the apps; production from STATIC_ROOT
# (make serve runs collectstatic first).
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # WhiteNoise also looks in STATIC_ROOT, which only collectstatic (make serve) fills; in
    # development the files come from the apps, so its absence is expected, not worth a warning.
    warnings.filterwarnings("ignore", message=f"No directory at: {re.escape(str(STATIC_ROOT))}", category=UserWarning)
WHITENOISE_AUTOREFRESH = DEBUG

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600 if PRODUCTION else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets X-Forwarded-Proto itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
MULTIDB_PINNING_COOKIE_SECURE = SESSION_COOKIE_SECURE  # the read-your-writes pin (kb/replicas.py)

# Content-Security-Policy (django-csp): everything from this origin, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login rate limit (django-axes): after AXES_FAILURE_LIMIT failed logins for one
# username from one address, that pair is refused (HTTP 429) for AXES_COOLOFF_MINUTES.
# Covers every login that goes through django.contrib.auth.authenticate with the
# request: the admin login and DRF's token and basic authentication.
AUTHENTICATION_BACKENDS = [
    "kb.auth.LoginRateLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Request size limits: a request body (form fields or JSON) up to 3 MiB, which leaves
# room for a source's text; an uploaded file up to KB_UPLOAD_MAX_BYTES, refused with
# HTTP 400 beyond that. Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE go to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(3 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", str(2 * 1024 * 1024)))
KB_UPLOAD_MAX_BYTES = int(os.environ.get("KB_UPLOAD_MAX_BYTES", str(KB_INGEST_MAX_BYTES)))
FILE_UPLOAD_HANDLERS = [
    "kb.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
