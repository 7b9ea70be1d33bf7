"""UniBridge settings: one module, driven by environment variables (see .env.example)."""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cooperation.countries import localized_country_names

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# DJANGO_ENV=production: HTTPS only, secure cookies, HSTS, no DEBUG, a real SECRET_KEY.
PRODUCTION = os.environ.get("DJANGO_ENV", "").strip().lower() == "production"
DEBUG = env_bool("DEBUG", default=False) and not PRODUCTION
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in production, at least 50 random characters: "
        'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
if not SECRET_KEY:
    # Development and tests only: a fixed key keeps sessions valid across restarts.
    SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The two countries the dashboards focus on, as ISO 3166-1 alpha-2 codes.
UNIBRIDGE_FOCUS_PAIR = tuple(code.upper() for code in env_list("UNIBRIDGE_FOCUS_PAIR", "KZ,AZ"))
if len(UNIBRIDGE_FOCUS_PAIR) != 2 or UNIBRIDGE_FOCUS_PAIR[0] == UNIBRIDGE_FOCUS_PAIR[1]:
    raise ImproperlyConfigured("UNIBRIDGE_FOCUS_PAIR must name two different countries, e.g. KZ,AZ")
# Anonymous visitors may read the public pages and the API when this is on.
UNIBRIDGE_PUBLIC_READ = env_bool("UNIBRIDGE_PUBLIC_READ", default=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_tables2",
    "import_export",
    "simple_history",
    "django_countries",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "cooperation",
    "universities",
    "events",
    "agreements",
    "mobility",
    "intake",
    "savedviews",
    "demo",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks; answers nothing unless
    # CORS_ALLOWED_ORIGINS names the origin.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With UNIBRIDGE_PUBLIC_READ off, pages need a login (the API answers 401 itself).
    "cooperation.middleware.PublicReadMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a login from a locked-out user and IP before checking it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with users and permissions kept per readers' generation.
    "accounts.backends.ReaderBackend",
]
# Login throttling: after AXES_FAILURE_LIMIT failed attempts for one user name from one
# address, that pair is locked out for AXES_COOLOFF_HOURS.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
# Behind a reverse proxy every request comes from the proxy: the client's address is read
# from X-Forwarded-For, but only on requests from these proxies (addresses or networks,
# comma-separated; accounts/client_ip.py). With SECURE_PROXY_SSL_HEADER set and no list,
# a proxy on the same machine (loopback) is trusted.
UNIBRIDGE_TRUSTED_PROXIES = env_list(
    "UNIBRIDGE_TRUSTED_PROXIES",
    "127.0.0.1,::1" if os.environ.get("SECURE_PROXY_SSL_HEADER") else "",
)
try:
    for _proxy in UNIBRIDGE_TRUSTED_PROXIES:
        ipaddress.ip_network(_proxy, strict=False)
except ValueError as exc:
    raise ImproperlyConfigured(
        f"UNIBRIDGE_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network "
        "(e.g. 127.0.0.1,10.0.0.0/8)"
    ) from exc
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"

ROOT_URLCONF = "cooperation.urls"
WSGI_APPLICATION = "cooperation.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cooperation.context_processors.navigation",
                "mobility.context_processors.imports",
            ],
            # |in_its_language and the project's tags on every page.
            "builtins": ["cooperation.templatetags.unibridge"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'unibridge.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
    ("az", _("Azerbaijani")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers per language (cooperation/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["cooperation.formats"]
# Country names in Kazakh and Azerbaijani too (cooperation/countries.py).
COUNTRIES_OVERRIDE = localized_country_names()
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The site's own login page (accounts.views.SiteLoginView); the admin keeps its own.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "dashboard"

# Signed agreement scans: PDF only, at most this many bytes (default 20 MB).
UNIBRIDGE_MAX_DOCUMENT_BYTES = int(os.environ.get("UNIBRIDGE_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024))
# Spreadsheet imports: the largest file, and how long an upload waits for its confirmation.
UNIBRIDGE_IMPORT_MAX_BYTES = int(os.environ.get("UNIBRIDGE_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
# What an XLSX upload may unpack to (50,000 rows of figures: 46 MB); cooperation/imports.py.
UNIBRIDGE_IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("UNIBRIDGE_IMPORT_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
)
# Exports built row by row in Python (XLSX, and CSV where PostgreSQL does not write it:
# cooperation.csv_sql) hold at most this many rows, so that one stays within a request's
# 10 s at size L (bench/RESULTS.md); past it the page and the API say so. 0: no bound.
UNIBRIDGE_EXPORT_MAX_ROWS = int(os.environ.get("UNIBRIDGE_EXPORT_MAX_ROWS", 5_000))
# Longer exports are prepared in the background (cooperation.export_jobs; the worker is
# ``manage.py db_worker``) and the reader follows their progress: a CSV that PostgreSQL
# writes, past UNIBRIDGE_EXPORT_SYNC_ROWS rows (~4 s at size L); one built row by row, past
# UNIBRIDGE_EXPORT_MAX_ROWS and up to UNIBRIDGE_EXPORT_JOB_MAX_ROWS (past which it is
# refused). A finished file is kept UNIBRIDGE_EXPORT_KEEP_HOURS.
UNIBRIDGE_EXPORT_SYNC_ROWS = int(os.environ.get("UNIBRIDGE_EXPORT_SYNC_ROWS", 50_000))
UNIBRIDGE_EXPORT_JOB_MAX_ROWS = int(os.environ.get("UNIBRIDGE_EXPORT_JOB_MAX_ROWS", 50_000))
UNIBRIDGE_EXPORT_KEEP_HOURS = int(os.environ.get("UNIBRIDGE_EXPORT_KEEP_HOURS", 24))
# Unfinished background exports a reader may have at once (the public counts as one reader);
# past it the reader is asked to wait. 0: no limit.
UNIBRIDGE_EXPORT_JOBS_WAITING = int(os.environ.get("UNIBRIDGE_EXPORT_JOBS_WAITING", 5))
# An import's names that the register does not record as written are compared with every
# name of the register; past this many comparisons (pairs of names; ~3 s at size L, where a
# name takes ~0.1 s) the worker compares them and the import's page shows its progress
# (cooperation.name_searches). 0: always in the background.
UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST = int(
    os.environ.get("UNIBRIDGE_NAME_COMPARISONS_IN_REQUEST", 3_000_000)
)
# Background work (django-tasks, Django 6's task framework backported): stored in the
# database, run by ``manage.py db_worker`` (``make run`` and ``make serve`` start one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A list's count of rows (the page's "N results", the API's ``count``) is exact when
# PostgreSQL counts it within UNIBRIDGE_COUNT_SECONDS; past that, counting stops at
# UNIBRIDGE_COUNT_BOUND rows and the list says "more than" (cooperation.paging); 0 s:
# every count stops at the bound.
UNIBRIDGE_COUNT_SECONDS = float(os.environ.get("UNIBRIDGE_COUNT_SECONDS", "1.5"))
UNIBRIDGE_COUNT_BOUND = int(os.environ.get("UNIBRIDGE_COUNT_BOUND", "10000"))
# The same for a searched list (``?q=``, cooperation.paging.searched): a word in most rows
# is answered in a fraction of a second, and counting every row it finds would take longer.
UNIBRIDGE_SEARCH_COUNT_SECONDS = float(os.environ.get("UNIBRIDGE_SEARCH_COUNT_SECONDS", "0.2"))
if UNIBRIDGE_COUNT_SECONDS < 0 or UNIBRIDGE_SEARCH_COUNT_SECONDS < 0 or UNIBRIDGE_COUNT_BOUND < 1:
    raise ImproperlyConfigured(
        "UNIBRIDGE_COUNT_SECONDS and UNIBRIDGE_SEARCH_COUNT_SECONDS must be >= 0 and "
        "UNIBRIDGE_COUNT_BOUND > 0"
    )
UNIBRIDGE_IMPORT_PENDING_SECONDS = int(os.environ.get("UNIBRIDGE_IMPORT_PENDING_SECONDS", 86400))
# The dashboard, directory, register and API list are cached until the register changes
# (cooperation/register_cache.py); this bounds how long a write made past the signals (raw
# SQL) could leave a page behind.
UNIBRIDGE_PAGE_CACHE_SECONDS = int(os.environ.get("UNIBRIDGE_PAGE_CACHE_SECONDS", 300))
# Sessions in the database, kept in each worker's memory until any session or reader
# changes (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
SESSION_CACHE_ALIAS = "readers"
CACHES = {
    # Pages, API answers and the reader's parts of them (register_cache); per process.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Signed-in readers: their user rows (password hashes), permissions, roles and
    # institutions, per readers' generation (cooperation/readers.py). Always the worker's
    # own memory, never a shared cache.
    "readers": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "unibridge-readers",
        "TIMEOUT": UNIBRIDGE_PAGE_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": 10000},
    },
    # The reader's parts of cached pages (their header, per reader and address): apart, so
    # that they never push the pages out.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "unibridge-fragments",
        "TIMEOUT": UNIBRIDGE_PAGE_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
# Import through the admin creates, changes and deletes rows: it needs all three
# permissions (a university editor has none of them on the whole list). Export needs view.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Content Security Policy (django-csp 4): every script, style, font and image is the
# app's own; no inline script or style is needed, so none is allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The load balancer may probe /health/ over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    # Set when a proxy terminates TLS: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
    if os.environ.get("SECURE_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = tuple(env_list("SECURE_PROXY_SSL_HEADER"))[:2]

# API tokens stop working this many days after they were issued (0: never); a new
# password revokes them at once (accounts/authentication.py, accounts/signals.py).
UNIBRIDGE_TOKEN_TTL_DAYS = int(os.environ.get("UNIBRIDGE_TOKEN_TTL_DAYS", "30"))
if UNIBRIDGE_TOKEN_TTL_DAYS < 0:
    raise ImproperlyConfigured("UNIBRIDGE_TOKEN_TTL_DAYS is a number of days (0: never expire)")

REST_FRAMEWORK = {
    # Token first: an anonymous write is then answered 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cooperation.api_defaults.PublicReadModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "cooperation.api_defaults.OrderingFilter",
        "cooperation.api_defaults.UpdatedAfterFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "cooperation.api_defaults.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "cooperation.problems.exception_handler",
    # 429 with Retry-After past these rates (UNIBRIDGE_API_RATES below).
    "DEFAULT_THROTTLE_CLASSES": [
        "cooperation.api_defaults.AnonRateThrottle",
        "cooperation.api_defaults.UserRateThrottle",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "cooperation.api_defaults.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "cooperation.api.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Requests per client: "anon" per IP address, "user" per account (token or session);
# "N/second|minute|hour|day", or empty for no limit. Read on each request.
UNIBRIDGE_API_RATES = {
    "anon": os.environ.get("UNIBRIDGE_API_ANON_RATE", "120/minute").strip() or None,
    "user": os.environ.get("UNIBRIDGE_API_USER_RATE", "1200/minute").strip() or None,
}

# Browsers on these origins may call the API (django-cors-headers): none by default.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = ["ETag", "Location", "Retry-After"]

# Every API error is an RFC 9457 problem (cooperation.problems).
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_FORMATTER_CLASS": "cooperation.problems.ProblemFormatter",
    "EXCEPTION_HANDLER_CLASS": "cooperation.problems.ProblemExceptionHandler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "UniBridge API",
    "DESCRIPTION": "The register of academic cooperation between two countries' universities.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/",
    # Request and response bodies differ (read-only names, ids in writes): separate components.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InstitutionKindEnum": "universities.choices.InstitutionKind",
        "InstitutionStatusEnum": "universities.choices.InstitutionStatus",
        "InstitutionNameKindEnum": "universities.choices.InstitutionNameKind",
        "EventKindEnum": "events.choices.EventKind",
        "EventStatusEnum": "events.choices.EventStatus",
        "AgreementKindEnum": "agreements.choices.AgreementKind",
        "AgreementLevelEnum": "agreements.choices.AgreementLevel",
        "AgreementStatusEnum": "agreements.choices.AgreementStatus",
        "ConditionMobilityTypeEnum": "agreements.choices.ConditionMobilityType",
        "ScholarshipKindEnum": "mobility.choices.ScholarshipKind",
        "MobilityTypeEnum": "mobility.choices.MobilityType",
        "IscedLevelEnum": "cooperation.choices.IscedLevel",
        "DatePrecisionEnum": "cooperation.choices.DatePrecision",
        "QualifierEnum": "cooperation.choices.Qualifier",
        "LanguageEnum": "cooperation.choices.Language",
        "CountryEnum": "cooperation.filtersets.country_choices",
    },
}

# E-mail (expiry alerts): printed to the console unless an SMTP server is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "unibridge@localhost")
# Links in e-mails point here (no request to take the host from).
UNIBRIDGE_SITE_URL = os.environ.get("UNIBRIDGE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# An agreement in force counts as "expiring" when it ends within this many days: the
# dashboard, the profiles, the admin filter and the first expiry alert all use it.
# Mobility totals a reader asks for (explorer pivot, /api/mobility-figures/totals/, the
# dashboard chart): at most this many totals, each statement at most this long on
# PostgreSQL; past either, the reader is asked to narrow the filters (never a hung worker).
UNIBRIDGE_TOTALS_MAX_CELLS = int(os.environ.get("UNIBRIDGE_TOTALS_MAX_CELLS", "5000"))
UNIBRIDGE_TOTALS_SECONDS = float(os.environ.get("UNIBRIDGE_TOTALS_SECONDS", "5"))
if UNIBRIDGE_TOTALS_MAX_CELLS < 1 or UNIBRIDGE_TOTALS_SECONDS <= 0:
    raise ImproperlyConfigured("UNIBRIDGE_TOTALS_MAX_CELLS and UNIBRIDGE_TOTALS_SECONDS are > 0")

UNIBRIDGE_EXPIRING_DAYS = int(os.environ.get("UNIBRIDGE_EXPIRING_DAYS", "90"))
if UNIBRIDGE_EXPIRING_DAYS < 1:
    raise ImproperlyConfigured("UNIBRIDGE_EXPIRING_DAYS is a number of days, e.g. 90")
# An agreement in force signed more than this many months ago with no activity since is
# "dormant" (agreements.models.AgreementQuerySet.dormant says what activity is).
UNIBRIDGE_DORMANT_MONTHS = int(os.environ.get("UNIBRIDGE_DORMANT_MONTHS", "12"))
if UNIBRIDGE_DORMANT_MONTHS < 1:
    raise ImproperlyConfigured("UNIBRIDGE_DORMANT_MONTHS is a number of months, e.g. 12")
# manage.py notify_expiring: days before the end date at which editors are told, once each.
# The first alert goes at UNIBRIDGE_EXPIRING_DAYS; these add reminders nearer the end.
try:
    UNIBRIDGE_EXPIRY_THRESHOLDS = tuple(
        int(days) for days in env_list("UNIBRIDGE_EXPIRY_THRESHOLDS", "30")
    )
except ValueError as exc:
    raise ImproperlyConfigured("UNIBRIDGE_EXPIRY_THRESHOLDS is a list of days, e.g. 30") from exc
if UNIBRIDGE_EXPIRY_THRESHOLDS and (
    min(UNIBRIDGE_EXPIRY_THRESHOLDS) < 1
    or max(UNIBRIDGE_EXPIRY_THRESHOLDS) > UNIBRIDGE_EXPIRING_DAYS
):
    raise ImproperlyConfigured(
        "UNIBRIDGE_EXPIRY_THRESHOLDS is a list of days between 1 and UNIBRIDGE_EXPIRING_DAYS, "
        "e.g. 30"
    )
# Addresses told about every expiring agreement, besides its editors and the ministry editors.
UNIBRIDGE_EXPIRY_ALERT_EMAILS = env_list("UNIBRIDGE_EXPIRY_ALERT_EMAILS")
# The language of the alerts (no user has one stored): en or ru.
UNIBRIDGE_EMAIL_LANGUAGE = os.environ.get("UNIBRIDGE_EMAIL_LANGUAGE", LANGUAGE_CODE)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

DJANGO_TABLES2_TEMPLATE = "includes/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table", "th": {"scope": "col"}}
