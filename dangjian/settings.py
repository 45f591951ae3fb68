"""Settings for dangjian, read from the environment.

Two profiles:
- development (the default): DEBUG on unless ``DEBUG=0`` (``make run`` sets it, so the demo shows
  the application's own error pages; ``make dev`` keeps Django's debug pages), SQLite in
  ``var/dangjian.sqlite3``, a fixed insecure key;
- production (``DANGJIAN_PROFILE=production``): DEBUG off, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
  ``DATABASE_URL`` required, HTTPS-only cookies and security headers; passes ``check --deploy``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name} (production profile).")
    return value


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PROFILE = env("DANGJIAN_PROFILE", "development")
PRODUCTION = PROFILE == "production"

if PRODUCTION:
    SECRET_KEY = env("SECRET_KEY")
    AUDIT_KEY = env("AUDIT_KEY")
    DATA_KEYS = env_list("DATA_KEYS", "") or [env("DATA_KEYS")]  # at least one, the current key first
    LOOKUP_KEY = env("LOOKUP_KEY")
    # The security trail's checkpoints, outside the database (a path writable by every worker,
    # not on the database's disk or account): without them a cut tail of the trail goes unseen.
    AUDIT_CHECKPOINT_FILE = env("AUDIT_CHECKPOINT_FILE")
    DEBUG = env_bool("DEBUG", False)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
    DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60)}
else:
    SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
    AUDIT_KEY = env("AUDIT_KEY", "dev-only-audit-key")
    AUDIT_CHECKPOINT_FILE = env("AUDIT_CHECKPOINT_FILE", str(BASE_DIR / "var" / "audit-checkpoints.log"))
    # Development keys only: production sets its own (manage.py new_data_key prints one).
    DATA_KEYS = env_list("DATA_KEYS", "ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE")
    LOOKUP_KEY = env("LOOKUP_KEY", "dev-only-lookup-key")
    DEBUG = env_bool("DEBUG", True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    if "DATABASE_URL" not in os.environ:
        (BASE_DIR / "var").mkdir(exist_ok=True)  # the development database's folder, not in git
    DATABASES = {
        "default": dj_database_url.parse(env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'dangjian.sqlite3'}"))
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the development server read while the demo loader or a test writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "axes",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "dangjian.core",
    "dangjian.orgs",
    "dangjian.members",
    "dangjian.elections",
    "dangjian.approvals",
    "dangjian.transfers",
    "dangjian.development",
    "dangjian.discipline",
    "dangjian.meetings",
    "dangjian.dues",
    "dangjian.stats",
    "dangjian.accounts",
    "dangjian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dangjian.core.middleware.NoStoreMiddleware",  # below WhiteNoise: static files keep their caching
    "dangjian.core.middleware.ControlCharacterMiddleware",  # before anything reads a parameter
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dangjian.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dangjian.core.audit.AuditMiddleware",
    "dangjian.core.middleware.SessionPolicyMiddleware",
    "dangjian.core.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.core.context_processors.acting_role",
            ],
        },
    },
]

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out account before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]

# The length, character-class and reuse rules follow the 安全管理员's settings (core/policy.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "dangjian.core.policy.PolicyValidator"},
    {"NAME": "dangjian.core.policy.HistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout after repeated failed logins (django-axes), by account, for the time the policy sets.
AXES_FAILURE_LIMIT = "dangjian.core.policy.failure_limit"
AXES_COOLOFF_TIME = "dangjian.core.policy.lockout_time"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)  # only behind a proxy that sets it
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUST_X_FORWARDED_FOR else ["REMOTE_ADDR"]
)

# Sessions: absolute lifetime here, the idle timeout from the policy (SessionPolicyMiddleware).
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_RATE_LIMIT = (20, 60)  # login attempts per client IP address per this many seconds

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("CACHE_URL", "")}
        if env("CACHE_URL", "")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Everything the pages load comes from this server (deployments are offline anyway).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Production serves the collected, hashed files (collectstatic); development and tests serve
# straight from the app and static/ folders (WhiteNoise reads them at start-up, with DEBUG on or
# off: make run needs no collectstatic).
STATIC_ROOT = env("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")) if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploaded workbooks and their error reports. Never served as static files: only the scoped views
# hand them out, and uploads are deleted once their import has finished.
MEDIA_ROOT = env("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
# They hold ID numbers in clear: readable by the server's own user only, whether Django wrote them
# from memory (small uploads, reports: chmod after writing, in folders no one else may enter) or
# moved a temporary upload file in (Django's default would make either 0644).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# SQLite ignores an index's INCLUDE columns (members' roster index carries the status on
# PostgreSQL only); the index itself still works there.
SILENCED_SYSTEM_CHECKS = [
    "models.W040",
    # Lockout is per account, as the 等保 rules ask; guessing across many accounts from one place
    # is slowed by the per-address limit of the login page (LOGIN_RATE_LIMIT) instead.
    "axes.W006",
]

REST_FRAMEWORK = {
    # JSON only (bounded in depth and size, errors in Chinese: core/parsers.py); no endpoint takes
    # a file, so no form or multipart body, and a generated client has one way to send each body.
    "DEFAULT_PARSER_CLASSES": ["dangjian.core.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # The token first: a request without valid credentials answers 401 with WWW-Authenticate
    # (DRF asks the first class for that header; the session has none and would make it a 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dangjian.core.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "dangjian.core.auth.PasswordIsCurrent",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_RATE_ANON", "60/minute"),
        "user": env("API_RATE_USER", "1200/minute"),
        "token": env("API_RATE_TOKEN", "10/minute"),
    },
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "dangjian.core.pagination.Pages",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "dangjian.core.schema.ChineseSummaries",
    "EXCEPTION_HANDLER": "dangjian.core.api.exception_handler",
}

FILTERS_EMPTY_CHOICE_LABEL = "全部"

SPECTACULAR_SETTINGS = {
    "TITLE": "dangjian API",
    "DESCRIPTION": "基层党建信息化管理平台 API。所有列表、详情和统计均限于调用者的管理范围（所在组织及其下级组织）。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "OrgKindEnum": "dangjian.orgs.models.OrgKind",
        "RestructuringKindEnum": "dangjian.orgs.models.RestructuringKind",
        "CoManagementKindEnum": "dangjian.orgs.models.CoManagementKind",
        "UnitCategoryEnum": "dangjian.orgs.models.UnitCategory",
        "SanctionKindEnum": "dangjian.discipline.models.SanctionKind",
        "LifeColourEnum": "dangjian.meetings.api.COLOURS",
        "DevelopmentStepEnum": "dangjian.development.rules.STEP_CHOICES",
        "PublicityStepEnum": "dangjian.development.rules.PUBLICITY_CHOICES",
        "MemberStatusEnum": "dangjian.members.models.Status",
        "SettableStatusEnum": "dangjian.members.models.DIRECT_STATUS_CHOICES",  # all but 已转出
        "FileStatusEnum": "dangjian.development.models.FileStatus",
        "GenderEnum": "dangjian.core.enums.Gender",
        "EducationEnum": "dangjian.core.enums.Education",
        "CategoryEnum": "dangjian.members.models.Category",
        "AgeBandEnum": "dangjian.members.rules.AGE_BAND_CHOICES",
        "TermStateEnum": "dangjian.elections.rules.TERM_STATE_CHOICES",
        "DuesCategoryEnum": "dangjian.dues.models.CATEGORY_CHOICES",  # not the members' 人员类别
        "DuesReliefEnum": "dangjian.dues.api.RELIEF_CHOICES",
        "DuesPaymentKindEnum": "dangjian.dues.models.PaymentKind",
        "PaymentMethodEnum": "dangjian.dues.models.Method",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "dangjian.core.schema.enum_names_and_labels",
    ],
}

# Party dues: the province (区域) whose own dues standard, where it has added one, governs this
# deployment's members before the national one (dues.standards.in_force). A county's deployment
# lies in one province; blank: the national standard only.
DUES_REGION = env("DUES_REGION", "")

# Long jobs (large imports) run in the background: `manage.py db_worker` takes them from the
# database (django-tasks-db), no broker needed. Tests run them at once (ImmediateBackend).
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
