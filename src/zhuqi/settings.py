"""Django settings for Zhuqi.

Everything an operator may change comes from the environment (see README, "Configuration"):
  DATABASE_URL          PostgreSQL in production (postgres://user:pass@host:5432/zhuqi);
                        unset means SQLite (WAL) in ZHUQI_DATA_DIR.
  ZHUQI_DATA_DIR        where the SQLite file, uploads and the generated secret key live (./var).
  ZHUQI_SECRET_KEY      the secret key; generated once into the data folder when unset.
  ZHUQI_ALLOWED_HOSTS   comma-separated host names (127.0.0.1,localhost).
  ZHUQI_DEBUG           1 to turn on Django's debug pages (never in production).
"""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ZHUQI_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT


def _secret_key() -> str:
    if key := os.environ.get("ZHUQI_SECRET_KEY"):
        return key
    # Generated once per data folder so that sessions survive restarts without a shared default key.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("ZHUQI_DEBUG", "") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ZHUQI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ZHUQI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "csp",
    "zhuqi.core",
    "zhuqi.accounts",
    "zhuqi.directory",
    "zhuqi.appeals",
    "zhuqi.policies",
    "zhuqi.programs",
    "zhuqi.tiers",
    "zhuqi.projects",
    "zhuqi.cultivation",
    "zhuqi.engagement",
    "zhuqi.chains",
    "zhuqi.monitoring",
    "zhuqi.assessment",
    "zhuqi.briefings",
    "zhuqi.web",
    "zhuqi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so static files keep their cache headers and only our own answers are marked.
    "zhuqi.web.security.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhuqi.web.security.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the auth backend into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhuqi.urls"
WSGI_APPLICATION = "zhuqi.wsgi.application"

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
                "zhuqi.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "zhuqi.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("ZHUQI_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue on busy_timeout instead of failing with "database is locked" mid-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "zhuqi.accounts.backends.PeopleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttling (django-axes): 5 failures for one user name from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("ZHUQI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address: X-Forwarded-For is read only from these proxies (addresses or networks,
# comma-separated), right to left; empty = the connection's address (core/client_ip.py).
ZHUQI_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("ZHUQI_TRUSTED_PROXIES", "").split(",") if p.strip()
]
for _proxy in ZHUQI_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"ZHUQI_TRUSTED_PROXIES: {_proxy!r} is not an address or network"
        ) from _exc
AXES_CLIENT_IP_CALLABLE = "zhuqi.core.client_ip.client_ip"
# Across addresses (accounts/throttle.py): past this many wrong passwords for one user in a day,
# each further one pauses that user's sign-in twice as long (1, 2, 4 … minutes, at most the maximum).
ZHUQI_LOGIN_USER_FAILURE_LIMIT = int(os.environ.get("ZHUQI_LOGIN_USER_FAILURE_LIMIT", "10"))
ZHUQI_LOGIN_BACKOFF_MAX_MINUTES = int(os.environ.get("ZHUQI_LOGIN_BACKOFF_MAX_MINUTES", "60"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"

# Audit trail (core/audit_chain.py): events are kept at least 180 days (等保 2.0: six months).
ZHUQI_AUDIT_RETENTION_DAYS = int(os.environ.get("ZHUQI_AUDIT_RETENTION_DAYS", "180"))
if ZHUQI_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("ZHUQI_AUDIT_RETENTION_DAYS must be at least 180 (six months).")
ZHUQI_AUDIT_EXPORT_MAX_ROWS = 200_000  # a synchronous export answers within seconds; narrow the range

# Long lists (core/pagination.py): on PostgreSQL, past this many rows by the planner's estimate a
# list shows the estimate ("about"), and counts exactly only when asked.
ZHUQI_COUNT_ESTIMATE_ABOVE = int(os.environ.get("ZHUQI_COUNT_ESTIMATE_ABOVE", "10000"))

# API tokens of system clients (`zhuqi token create --days N`, `zhuqi token rotate PREFIX`).
ZHUQI_TOKEN_DAYS = int(os.environ.get("ZHUQI_TOKEN_DAYS", "90"))  # default lifetime
ZHUQI_TOKEN_MAX_DAYS = 366
ZHUQI_TOKEN_ROTATION_GRACE_HOURS = int(os.environ.get("ZHUQI_TOKEN_ROTATION_GRACE_HOURS", "24"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # the absolute limit of a sign-in (zhuqi.web.security)
# Signed out after this many minutes without a request (等保 2.0: idle sessions end).
ZHUQI_SESSION_IDLE_MINUTES = int(os.environ.get("ZHUQI_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_SECURE = os.environ.get("ZHUQI_SECURE_COOKIES", "") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Web hardening (README, "Hardening") -----------------------------------------------------
if SESSION_COOKIE_SECURE:
    # Behind HTTPS: browsers keep to HTTPS for a year. A proxy that ends TLS must set
    # X-Forwarded-Proto (and strip it from clients) so Django knows the request was secure.
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every script, style, image and font is served by the project itself (no CDN): nothing else loads.
# The three chart scripts are inline with a per-request nonce; no inline handler or style attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Pico CSS draws its icons as data: SVG
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
ZHUQI_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), fullscreen=(self)"
)
# The OpenAPI document and the interactive docs are for signed-in users (or a token) unless the
# office publishes them.
ZHUQI_PUBLIC_API_DOCS = os.environ.get("ZHUQI_PUBLIC_API_DOCS", "") == "1"

# --- Internationalisation ------------------------------------------------------------------
# A CSRF failure gets the site's own page (in its layout and language), like 400/403/404/500.
CSRF_FAILURE_VIEW = "zhuqi.web.views.csrf_failure"
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (all served by the project itself: government intranets have no CDN) ------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Without collectstatic (tests, `zhuqi serve` in a checkout) whitenoise finds files in the apps.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Zhuqi ----------------------------------------------------------------------------------
ZHUQI_PAGE_SIZE = 25
# Batch runs over every enterprise (policy matching, the tier assessment) read, evaluate and write
# this many enterprises at a time (by id range), in one transaction: memory stays flat at any scale.
ZHUQI_BATCH_CHUNK = int(os.environ.get("ZHUQI_BATCH_CHUNK", "200000"))
if ZHUQI_BATCH_CHUNK < 1:
    raise ImproperlyConfigured("ZHUQI_BATCH_CHUNK must be at least 1.")
ZHUQI_IMPORT_MAX_ROWS = int(os.environ.get("ZHUQI_IMPORT_MAX_ROWS", "50000"))
ZHUQI_IMPORT_MAX_COLUMNS = 200
ZHUQI_IMPORT_MAX_MB = int(os.environ.get("ZHUQI_IMPORT_MAX_MB", "20"))
# What an .xlsx may unpack to; a 50,000-row indicator sheet is about 40 MB of XML.
ZHUQI_IMPORT_MAX_UNZIPPED_MB = int(os.environ.get("ZHUQI_IMPORT_MAX_UNZIPPED_MB", "100"))
ZHUQI_ATTACHMENT_MAX_MB = int(os.environ.get("ZHUQI_ATTACHMENT_MAX_MB", "20"))
ZHUQI_ATTACHMENTS_PER_OBJECT = int(os.environ.get("ZHUQI_ATTACHMENTS_PER_OBJECT", "20"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHUQI_LOG_LEVEL", "WARNING")},
    # One line per use of an API token (prefix, user, method, path, address): kept whatever the level.
    "loggers": {"zhuqi.tokens": {"level": "INFO"}},
}

# --- Notifications --------------------------------------------------------------------------
# Channels every notification goes out on (in-app always; sms and email for users with a mobile or
# an address). ZHUQI_SMS_GATEWAY: "file" (default, $ZHUQI_DATA_DIR/sms.jsonl), "console", or a URL.
ZHUQI_NOTIFY_CHANNELS = [
    c.strip() for c in os.environ.get("ZHUQI_NOTIFY_CHANNELS", "inapp,sms").split(",") if c
]
ZHUQI_SMS_GATEWAY = os.environ.get("ZHUQI_SMS_GATEWAY", "file")
ZHUQI_JOB_KEEP_HOURS = float(os.environ.get("ZHUQI_JOB_KEEP_HOURS", "24"))  # a job's file, for download
ZHUQI_IMPORT_JOB_ROWS = int(os.environ.get("ZHUQI_IMPORT_JOB_ROWS", "2000"))  # larger imports: a job
# Seconds an SMS or e-mail claimed by a worker stays claimed: longer than a send may take (the HTTP
# gateway's timeout is 10 s); a worker killed mid-send leaves its message to be retried after this.
ZHUQI_SEND_LEASE_SECONDS = float(os.environ.get("ZHUQI_SEND_LEASE_SECONDS", "60"))
ZHUQI_PORT = int(os.environ.get("ZHUQI_PORT", "8000"))  # `zhuqi run` and `./dev up`
# Seconds the worker waits when it finds nothing to deliver: the delay of a notification at most.
ZHUQI_WORKER_IDLE_SECONDS = float(os.environ.get("ZHUQI_WORKER_IDLE_SECONDS", "2"))
EMAIL_BACKEND = os.environ.get("ZHUQI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The city's principal leader, notified of every new appeal when set (seed 000, 三(四)).
ZHUQI_PRINCIPAL_LEADER = os.environ.get("ZHUQI_PRINCIPAL_LEADER", "")
# Appeal deadlines and warnings, in working days.
ZHUQI_NEAR_DEADLINE_DAYS = 1  # blue when at most this many working days are left
ZHUQI_MONITORING_REFRESH_MINUTES = int(os.environ.get("ZHUQI_MONITORING_REFRESH_MINUTES", "60"))
ZHUQI_RED_AFTER_DAYS = 3  # red when overdue by more than this many working days
ZHUQI_RATING_PERIOD_DAYS = int(os.environ.get("ZHUQI_RATING_PERIOD_DAYS", "5"))
# The issuing office's abbreviation in a briefing's 文号 (东倍增办〔2026〕3号).
ZHUQI_BRIEFING_ISSUER = os.environ.get("ZHUQI_BRIEFING_ISSUER", "东倍增办")[:20]
# Answers a department needs before its survey scores are shown to anyone (k-anonymity of the survey).
ZHUQI_SURVEY_MIN_ANSWERS = max(2, int(os.environ.get("ZHUQI_SURVEY_MIN_ANSWERS", "5")))
# Seed 000 三(四) 「系统两次发还重办的问题」 go to the coordination meeting. Read here as: the appeal goes
# back to its department once (the first 不满意); the second 不满意 is the second 发还重办 and takes it to
# the meeting (1). The other reading — two reopenings done, the third 不满意 escalates — is 2.
ZHUQI_APPEAL_REOPENINGS = int(os.environ.get("ZHUQI_APPEAL_REOPENINGS", "1"))
# Key projects (issue #11): the colour of a project from the gap between planned and actual. Yellow
# when its next stage is more than ZHUQI_PROJECT_YELLOW_DAYS days past its planned date, red past
# ZHUQI_PROJECT_RED_DAYS; yellow when the investment reported to date falls short of the planned by
# at least ZHUQI_PROJECT_AMOUNT_YELLOW (a fraction), red by ZHUQI_PROJECT_AMOUNT_RED. A month's
# report is due by day ZHUQI_PROJECT_REPORT_DAY of the next month; amounts are compared up to the
# last month whose report is due.
ZHUQI_PROJECT_YELLOW_DAYS = int(os.environ.get("ZHUQI_PROJECT_YELLOW_DAYS", "0"))
ZHUQI_PROJECT_RED_DAYS = int(os.environ.get("ZHUQI_PROJECT_RED_DAYS", "30"))
ZHUQI_PROJECT_AMOUNT_YELLOW = os.environ.get("ZHUQI_PROJECT_AMOUNT_YELLOW", "0.10")
ZHUQI_PROJECT_AMOUNT_RED = os.environ.get("ZHUQI_PROJECT_AMOUNT_RED", "0.30")
ZHUQI_PROJECT_REPORT_DAY = int(os.environ.get("ZHUQI_PROJECT_REPORT_DAY", "10"))
# Appeal KPIs at province scale (appeals/kpis.py): past this many appeals (estimated) the worker keeps a
# rollup of the KPI counters, rebuilt every ZHUQI_KPI_REFRESH_MINUTES, and the office's KPI page and
# cockpit read it (saying as of when); below it every KPI is computed live.
ZHUQI_KPI_ROLLUP_FROM = int(os.environ.get("ZHUQI_KPI_ROLLUP_FROM", "200000"))
ZHUQI_KPI_REFRESH_MINUTES = int(os.environ.get("ZHUQI_KPI_REFRESH_MINUTES", "10"))
