"""Academy Portal settings: one file, everything read from the environment.

Defaults let a newcomer run everything with nothing installed (SQLite and a filesystem
Celery broker under var/); production sets DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG=0 ...
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from academy_portal.core.countries import COUNTRIES_OVERRIDE as VIETNAMESE_COUNTRIES_OVERRIDE
from academy_portal.core.observability import init_sentry, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
INSECURE_DEV_SECRET_KEY = "django-insecure-dev-only-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEV_SECRET_KEY)
# Previous keys during a rotation (deploy/README.md): sessions, and the RSVP links reminders
# carry, still verify with them.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "academy_portal.staff.admin_site.PortalAdminConfig",  # django.contrib.admin + staff home
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "import_export",
    "django_countries",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here (no CDN)
    "academy_portal.core",
    "academy_portal.mail",
    "partners",
    "experts",
    "forums",
    # The top layer: they may import every app above; nothing imports them.
    "academy_portal.demo",
    "academy_portal.staff",
]

MIDDLEWARE = [
    # First: the request id is in every log record of the request, the timing covers it all.
    "academy_portal.core.middleware.RequestIdMiddleware",
    "academy_portal.core.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /healthz answered here: a probe needs no session, locale, CSRF or user.
    "academy_portal.core.middleware.HealthzMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "academy_portal.core.middleware.ContentSecurityPolicyMiddleware",
    # After authentication: staff without a completed second factor reach sign-in pages only.
    "academy_portal.core.middleware.StaffSecondFactorMiddleware",
]

ROOT_URLCONF = "academy_portal.urls"
WSGI_APPLICATION = "academy_portal.wsgi.application"
SITE_ID = 1

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
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL is set (PostgreSQL in production and CI).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process, worker and beat share one file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction pooling a session is not the app's own: no server-side
    # cursors and no prepared statements (core.prepared reads the same switch).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_TRANSACTION_POOLING", default=False
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Seconds a Redis connection attempt (cache and broker) or a cache read may take: an outage
# must fail fast, never hang a request (academy_portal/core/cache.py, docs/outbox.md).
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=1.0)

if REDIS_URL:
    # A Redis outage degrades to an empty cache (rate limits fail open) instead of a 500.
    CACHES = {
        "default": {
            "BACKEND": "academy_portal.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Internationalisation: English and Vietnamese.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("vi", _("Vietnamese"))]
# Vietnamese country names as the academy writes them (the English names stay django-countries').
COUNTRIES_OVERRIDE = VIETNAMESE_COUNTRIES_OVERRIDE
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django's renderer with the plain widget templates written in Python (same HTML, less time).
FORM_RENDERER = "academy_portal.core.renderers.FastRenderer"
FORMAT_MODULE_PATH = ["academy_portal.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Development never runs collectstatic: WhiteNoise looks files up per request.
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: EMAIL_URL wins; development writes files under var/mail; production needs SMTP.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Academy Portal <portal@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "localhost"
    EMAIL_PORT = 25
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Security: secure by default outside DEBUG; SECURE_SSL_REDIRECT can be off behind a proxy
# that already redirects (then set SECURE_PROXY_SSL_HEADER through USE_X_FORWARDED_PROTO).
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a reverse proxy every request comes from the proxy: rate limits per address then use
# the client address the proxy appended to X-Forwarded-For (academy_portal.core.ratelimit).
USE_X_FORWARDED_FOR = env.bool("USE_X_FORWARDED_FOR", default=False)
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
)

# The read-only JSON API (README, API): public reads need nothing; staff endpoints take a token
# (academy_portal.core.api), throttled per token in the cache at API_TOKEN_THROTTLE_RATE.
API_TOKEN_THROTTLE_RATE = env.str("API_TOKEN_THROTTLE_RATE", default="600/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "academy_portal.core.api.ApiPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Academy Portal API",
    "DESCRIPTION": (
        "Read-only. Public: forums, published editions and their programmes. Staff: invitation "
        "counts and MOUs, with a key issued in the admin (`Authorization: Bearer <key>`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: experts sign in with a code sent by email; staff with their username or
# email and password, then an authenticator code (allauth.mfa). There is no public sign-up.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
# password1 gives the sign-in form its password field (sign-up itself is closed).
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "experts.adapters.AccountAdapter"
# Asking for a code creates the account of an expert on file (and only of one).
ACCOUNT_FORMS = {
    "request_login_code": "experts.forms.ExpertRequestLoginCodeForm",
    "confirm_login_code": "experts.forms.ExpertConfirmLoginCodeForm",
    "login": "academy_portal.core.signin_forms.StaffLoginForm",
    "reauthenticate": "academy_portal.core.signin_forms.StaffReauthenticateForm",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
# An account has one address, the one the academy has on file; allauth's email management
# (adding addresses) is closed in academy_portal/urls.py too.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
# Failed sign-ins (passwords; allauth.mfa counts wrong authenticator codes here too): per
# client address 10 a minute and 30 an hour, per account 5 in 15 minutes (the adapter keys
# them by account, whichever name is typed). The admin's login goes through this page.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,30/h/ip,5/15m/key"}
# Behind our reverse proxy allauth's limits must key on the client, not on the proxy: the
# proxy appends the client's address last to X-Forwarded-For (USE_X_FORWARDED_FOR above).
# The account adapter's get_client_ip uses our client_ip(); this covers allauth's other uses.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if USE_X_FORWARDED_FOR else 0

# Staff second factor (allauth.mfa): an authenticator app (TOTP) plus one-time recovery codes.
# STAFF_MFA_REQUIRED (default on; off in `make run`'s demo and in tests/settings.py, where staff
# sign in with force_login) makes every staff session complete it before any admin page.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=True)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "academy_portal.core.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "academy_portal.core.signin_forms.StaffAuthenticateForm",
    "reauthenticate": "academy_portal.core.signin_forms.StaffMFAReauthenticateForm",
    "activate_totp": "academy_portal.core.signin_forms.StaffActivateTOTPForm",
}
MFA_TOTP_ISSUER = "Academy Portal"
# One period either side, for phone clocks that drift; each code is still accepted only once.
MFA_TOTP_TOLERANCE = 1
# Staff accounts are made by administrators; their address is not verified through allauth.
MFA_ALLOW_UNVERIFIED_EMAIL = True

# Celery: Redis in production; kombu's filesystem transport under var/ otherwise, so a
# worker and beat really run with nothing installed.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # Without these a broker that accepts connections but never answers hangs a publish
        # (and the request that commits an answer) for good.
        "socket_connect_timeout": REDIS_TIMEOUT,
        "socket_timeout": max(REDIS_TIMEOUT, 5.0),
    }
else:
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("out", "processed", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
# Publishing happens on commit, inside a web request: one quick retry (a stale pooled
# connection), then give up; the outbox sweep delivers what could not be enqueued.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Tests run tasks inline (tests/settings.py); see academy_portal/mail/services/__init__.py for
# what that means for the outbox.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "mail-sweep-outbox": {
        "task": "academy_portal.mail.tasks.sweep_outbox",
        "schedule": timedelta(minutes=1),
    },
    "partners-mou-expiry": {
        "task": "partners.tasks.check_mou_expiry",
        "schedule": crontab(hour=7, minute=0),
    },
    "forums-reminders-and-expiry": {
        "task": "forums.tasks.run_invitation_chores",
        "schedule": crontab(minute=15),
    },
    "forums-purge-personal-data": {
        "task": "forums.tasks.purge_personal_data",
        "schedule": crontab(hour=3, minute=30),
    },
    "forums-close-attendance": {
        "task": "forums.tasks.close_attendance",
        "schedule": crontab(hour=4, minute=0),
    },
}

# Several worker hosts: SEPARATE_TASK_QUEUES=1 sends email delivery to the "mail" queue and
# the scheduled chores to "chores", so a long chore never delays a confirmation email; each
# host's worker takes the queues its unit names (deploy/systemd, CELERY_WORKER_QUEUES). Off: one
# queue ("celery") that every worker takes.
SEPARATE_TASK_QUEUES = env.bool("SEPARATE_TASK_QUEUES", default=False)
CELERY_TASK_ROUTES = (
    {
        "academy_portal.mail.tasks.*": {"queue": "mail"},
        "forums.tasks.run_invitation_chores": {"queue": "chores"},
        "forums.tasks.purge_personal_data": {"queue": "chores"},
        "partners.tasks.check_mou_expiry": {"queue": "chores"},
    }
    if SEPARATE_TASK_QUEUES
    else {}
)

# Portal behaviour
MOU_EXPIRING_WINDOW_DAYS = env.int("MOU_EXPIRING_WINDOW_DAYS", default=90)
# Days before expiry at which partnerships officers get a notice (most urgent reached wins).
MOU_EXPIRY_NOTICE_DAYS = sorted(
    set(env.list("MOU_EXPIRY_NOTICE_DAYS", cast=int, default=[90, 30, 7])), reverse=True
)
# Extra addresses (e.g. a shared mailbox) that get MOU expiry notices besides the officers.
PARTNERSHIPS_NOTIFY_EMAILS = env.list("PARTNERSHIPS_NOTIFY_EMAILS", default=[])
IMPORT_MAX_FILE_SIZE = env.int("IMPORT_MAX_FILE_SIZE", default=10 * 1024 * 1024)
# A partner import lists (and stores) its first N errors by row; the rest are only counted per
# column and kind, so a file of 200,000 bad rows cannot make a 200 MB page (docs/import.md).
IMPORT_ERRORS_SHOWN = max(1, env.int("IMPORT_ERRORS_SHOWN", default=200))
ACADEMY_NAME = env.str("ACADEMY_NAME", default="Diplomatic Academy")
# The academy's name in Vietnamese letters and pages (academy_portal.core.academy.academy_name).
ACADEMY_NAME_VI = env.str("ACADEMY_NAME_VI", default="Học viện Ngoại giao")
ACADEMY_CONTACT_EMAIL = env.str("ACADEMY_CONTACT_EMAIL", default="forums@localhost")
# Longest staff-written email template, and longest email it may render, in characters
# (forums/template_safety.py): a template cannot make a worker build a huge email.
EMAIL_TEMPLATE_MAX_SIZE = env.int("EMAIL_TEMPLATE_MAX_SIZE", default=100_000)
# Admin actions on more invitations than this send them in the background (Celery).
INVITATIONS_INLINE_LIMIT = env.int("INVITATIONS_INLINE_LIMIT", default=50)
# "Remind now" is refused within this many minutes of the invitation being sent or of the
# previous reminder (forums.services.reminders): a double click sends one reminder.
MANUAL_REMINDER_MIN_GAP = env.int("MANUAL_REMINDER_MIN_GAP", default=60)
# Answers (POSTs) one personal RSVP link, and one client address, may send a minute; beyond
# that the RSVP page answers 429 (forums.views). bench/pages.py raises both to measure answers.
RSVP_RATE_LIMIT_PER_LINK = env.int("RSVP_RATE_LIMIT_PER_LINK", default=10)
RSVP_RATE_LIMIT_PER_ADDRESS = env.int("RSVP_RATE_LIMIT_PER_ADDRESS", default=30)
# Exports read the selected rows this many at a time (academy_portal.core.exports).
EXPORT_CHUNK_SIZE = env.int("EXPORT_CHUNK_SIZE", default=2000)
# Fields in one request: an admin action posts one per ticked row, so Django's 1,000 answered
# "ticking 1,000 rows" with 400. Above the admin's longest list (list_max_show_all), still a
# bound on a hostile POST (checked by portal.E002).
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=5000)

# Retention of personal data (forums.services.retention, daily): passport name and nationality
# are erased this many days after the edition ends; the personal details of declined, expired
# and withdrawn invitations this many months after the invitation last changed.
RETENTION_PASSPORT_DAYS = env.int("RETENTION_PASSPORT_DAYS", default=30)
RETENTION_NOT_ATTENDING_MONTHS = env.int("RETENTION_NOT_ATTENDING_MONTHS", default=6)
# The privacy notice experts agree to; stored with each consent. Change it when the notice changes.
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", default="2026-11")

# Email outbox (docs/outbox.md): a row "sending" longer than the timeout is requeued; transient
# SMTP errors retry after base, 4 x base, 16 x base ... seconds, up to OUTBOX_MAX_ATTEMPTS tries.
OUTBOX_SENDING_TIMEOUT = env.int("OUTBOX_SENDING_TIMEOUT", default=300)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BASE_DELAY = env.int("OUTBOX_RETRY_BASE_DELAY", default=60)
OUTBOX_RETRY_MAX_DELAY = env.int("OUTBOX_RETRY_MAX_DELAY", default=6 * 3600)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)
# Seconds one sweep (beat, every minute) may spend sending before it leaves the rest to the next.
OUTBOX_SWEEP_TIME_BUDGET = env.int("OUTBOX_SWEEP_TIME_BUDGET", default=50)
# Rows per delivery task: a transaction's emails go to workers in tasks of this many, and a
# one-email task takes up to this many due rows along. 1 in tests/settings.py, so a test's
# on-commit send sends its own email only.
OUTBOX_TASK_BATCH_SIZE = env.int("OUTBOX_TASK_BATCH_SIZE", default=50)

# LOG_FORMAT=json: one JSON object per line (for a log shipper); text otherwise. Every record
# carries the request id (X-Request-ID), "-" outside a request.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env.str("LOG_LEVEL", default="INFO"))

# /metrics (Prometheus) is off unless one of these is set: a bearer token the scraper sends,
# and/or the scraper's addresses or networks (client address as in the rate limiter).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])

# Error reports to Sentry when SENTRY_DSN is set; off otherwise. No personal data is sent
# (send_default_pii off: no cookies, user, or request bodies).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
