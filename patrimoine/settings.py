"""Patrimoine settings: one module, read from the environment.

Every value a deployment changes comes from an environment variable; a malformed value stops the
start with a clear message. Without any variable the project runs as the embedded demo (SQLite,
DEBUG on, a throw-away secret key) — `PATRIMOINE_ENV=production` refuses that.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from patrimoine.core.env import env_bool, env_int, env_list, env_str
from patrimoine.core.s3 import s3_storage
from patrimoine.ops.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_str("PATRIMOINE_ENV", "demo") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else "demo-only-secret-key-never-use-in-production")
if not SECRET_KEY or (PRODUCTION and SECRET_KEY.startswith("demo-only")):
    raise ImproperlyConfigured("SECRET_KEY doit être défini en production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "mozilla_django_oidc",
    "patrimoine.core",
    "patrimoine.accounts",
    "patrimoine.organisations",
    "patrimoine.contractors",
    "patrimoine.documents",
    "patrimoine.assets",
    "patrimoine.intake",
    "patrimoine.workorders",
    "patrimoine.stock",
    "patrimoine.costs",
    "patrimoine.purchasing",
    "patrimoine.budgets",
    "patrimoine.chargeback",
    "patrimoine.reporting",
    "patrimoine.dashboard",
    "patrimoine.maintenance",
    "patrimoine.field",
    "patrimoine.imports",
    "patrimoine.open311",
    "patrimoine.triage",
    "patrimoine.portal",
    "patrimoine.trust",
    "patrimoine.demo",
    "patrimoine.scale",
    "patrimoine.reversibility",
    "ninja",
    "patrimoine.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "patrimoine.core.audit.AuditContextMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "patrimoine.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "patrimoine.organisations.middleware.AccessScopeMiddleware",
    "patrimoine.core.middleware.DomainErrorMiddleware",
]

if PRODUCTION:
    # Static files served by the application itself (compressed, cache-busted); no CDN.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "patrimoine.urls"
WSGI_APPLICATION = "patrimoine.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "patrimoine" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "patrimoine.organisations.context_processors.access",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'patrimoine.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the demo server and a worker share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not Django's in-memory default: the live server answering the browser is
    # threaded, and an in-memory database is one connection shared by every thread — two requests
    # at once (a page and its service worker) then corrupt each other's queries.
    DATABASES["default"]["TEST"] = {
        # One file per test run (removed at its end), so that two runs side by side don't lock each other.
        "NAME": env_str("SQLITE_TEST_NAME", str(BASE_DIR / "var" / f"test-patrimoine-{os.getpid()}.sqlite3"))
    }
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles big aggregates (a dashboard's one-column-per-month counts) for
    # seconds to save milliseconds: an OLTP application is faster without it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in (README « Connexion ») — brute force: django-axes locks a username + IP pair after
# AXES_FAILURE_LIMIT failures for AXES_COOLOFF_MINUTES (an administrator may unlock sooner).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "patrimoine.accounts.oidc.PatrimoineOIDCBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "patrimoine.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "patrimoine.accounts.lockout.client_ip"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)  # reverse proxies in front, for the client's address
# Two-factor (TOTP, django-otp): administrators (organisation role « admin », staff, superusers) must
# enrol before anything else. Not read from the environment: production cannot turn it off. The
# test harness (conftest.py) switches it off for tests that are not about it.
TWO_FACTOR_REQUIRED_FOR_ADMINS = True
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Patrimoine")

# Single sign-on (OpenID Connect, mozilla-django-oidc): on when OIDC_CLIENT_ID is set. The
# authorization code flow always uses PKCE (S256), state and nonce; claims come from userinfo.
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_OP_ISSUER = env_str("OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_END_SESSION_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_BUTTON_LABEL = env_str("OIDC_BUTTON_LABEL", "mon compte professionnel")
# Extra parameters of the authorization request, as a query string (e.g. ProConnect: "acr_values=eidas1").
OIDC_AUTH_REQUEST_EXTRA_PARAMS = dict(parse_qsl(env_str("OIDC_EXTRA_AUTH_PARAMS", "")))
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # kept for the id_token_hint of RP-initiated logout
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
OIDC_OP_LOGOUT_URL_METHOD = "patrimoine.accounts.oidc.provider_logout_url"
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
LOGIN_REDIRECT_URL_FAILURE = "accounts:login"
if OIDC_ENABLED:
    _missing = [
        name
        for name, value in {
            "OIDC_ISSUER": OIDC_OP_ISSUER,
            "OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
            "OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
            "OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
            "OIDC_USERINFO_ENDPOINT": OIDC_OP_USER_ENDPOINT,
            "OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
        }.items()
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_CLIENT_ID est défini : il manque {', '.join(_missing)}.")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "patrimoine" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "patrimoine" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: photos and documents. The type is read from the content, never from the name.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# HTTPS in production (`manage.py check --deploy` is clean; see README « Trust: … Hardening »): HSTS for a
# year, HTTP redirected to HTTPS (except /healthz for the load balancer), the proxy's
# X-Forwarded-Proto believed only when TRUST_PROXY_HEADERS is set.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("TRUST_PROXY_HEADERS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The audit trail and the rate limiter read the client's address from X-Forwarded-For only behind
# a trusted reverse proxy; else from REMOTE_ADDR.
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("TRUST_PROXY_HEADERS", False)
# Rate limiting of public endpoints (patrimoine/core/ratelimit.py), counted in this cache.
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
RATELIMIT_CACHE = "default"
if env_str("REDIS_URL", ""):
    # Shared by every worker process: counters (rate limits) hold across the whole instance.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL", "")}
    }
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if OIDC_ENABLED:  # signing out POSTs a form that redirects to the provider's end-session endpoint
    _op = urlsplit(OIDC_OP_LOGOUT_ENDPOINT or OIDC_OP_ISSUER)
    SECURE_CSP["form-action"].append(f"{_op.scheme}://{_op.netloc}")

# Citizen portal: the public address of the site (tracking links in e-mails) and the map's tile
# server, off by default (no third-party resource; the portal works fully without a map).
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://localhost:8000")
PORTAL_MAP_TILE_URL = env_str("PORTAL_MAP_TILE_URL", "")  # e.g. https://tuiles.example.fr/{z}/{x}/{y}.png
PORTAL_MAP_ATTRIBUTION = env_str("PORTAL_MAP_ATTRIBUTION", "")
if PORTAL_MAP_TILE_URL:
    SECURE_CSP["img-src"].append("/".join(PORTAL_MAP_TILE_URL.split("/", 3)[:3]))

# Personal data (RGPD): retention in days per category, enforced daily (patrimoine/trust/privacy.py).
PERSONAL_DATA_RETENTION_DAYS = {
    # the requester's name, e-mail and phone on a closed work request (3 years)
    "work_request_requester": env_int("RETENTION_REQUESTER_DAYS", 3 * 365),
}

# Background jobs: Django's tasks framework with a database-backed queue (django-tasks-db), run by
# `manage.py db_worker`. The database we already have is the broker: nothing more to operate.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "patrimoine@localhost")
MAILERS = {"default": {"BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}}

# Logs on standard error, one line per event with the request id (README « Exploitation »):
# LOG_FORMAT=json for a log collector, human-readable otherwise.
LOG_FORMAT = env_str("LOG_FORMAT", "human")
if LOG_FORMAT not in ("human", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT doit valoir human ou json, pas {LOG_FORMAT!r}.")
LOGGING = logging_config(LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))

# Observability (patrimoine/ops, README « Exploitation »). Every request gets an id (django-guid):
# the X-Request-ID nginx sends when it is a well-formed UUID, a new one otherwise; it is in every log
# line of the request, in the response's X-Request-ID header and on the error pages.
INSTALLED_APPS += ["django_guid", "patrimoine.ops"]
MIDDLEWARE = ["django_guid.middleware.guid_middleware", "patrimoine.ops.metrics.MetricsMiddleware", *MIDDLEWARE]
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "VALIDATE_GUID": True, "RETURN_HEADER": True, "EXPOSE_HEADER": False}
# /readyz is unhealthy when the oldest job waiting for the worker waits longer than this (0: not checked)
# or when the disk of MEDIA_ROOT has less free space than this.
OPS_QUEUE_MAX_LAG_SECONDS = env_int("OPS_QUEUE_MAX_LAG_SECONDS", 600)
OPS_DISK_MIN_FREE_MB = env_int("OPS_DISK_MIN_FREE_MB", 1024)
# The instance page warns when the last `manage.py backup` is older than this.
OPS_BACKUP_MAX_AGE_HOURS = env_int("OPS_BACKUP_MAX_AGE_HOURS", 26)
# /metrics (Prometheus): for these client addresses, or with « Authorization: Bearer METRICS_TOKEN ».
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
for _allowed in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_allowed, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS : {_allowed!r} n'est ni une adresse IP ni un réseau.") from exc
SECURE_REDIRECT_EXEMPT += [r"^readyz$", r"^metrics$"]
# The version shown on the instance page: the git commit of the checkout, or this variable (set by a
# build that ships without .git).
PATRIMOINE_COMMIT = env_str("PATRIMOINE_COMMIT", "")

# Production stack (deploy/README.md « Mise en production »): `manage.py upgrade` (patrimoine/deploy)
# backs up into BACKUP_DIR before migrating; STATIC_ROOT is where nginx serves /static/ from; static
# files get hashed names and a gzip copy (nginx's gzip_static).
INSTALLED_APPS += ["patrimoine.deploy"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(STATIC_ROOT)))
BACKUP_DIR = env_str("BACKUP_DIR", "")
if PRODUCTION:
    STORAGES["staticfiles"] = {"BACKEND": "patrimoine.deploy.storage.GzipManifestStaticFilesStorage"}
# Outgoing e-mail over SMTP (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): Django's
# SMTP mailer needs its server in OPTIONS. Default: a relay on the machine itself (nullmailer, postfix).
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": env_int("EMAIL_TIMEOUT_SECONDS", 10),
    }

# Citizen sign-in (optional, FranceConnect-like OpenID Connect, authlib): a second client, separate
# from the agents' SSO above. On when CITIZEN_OIDC_CLIENT_ID is set. Citizens get no User and no
# Membership: their identity lives in the portal's session (patrimoine/portal/citizen.py).
CITIZEN_OIDC_CLIENT_ID = env_str("CITIZEN_OIDC_CLIENT_ID", "")
CITIZEN_OIDC_ENABLED = bool(CITIZEN_OIDC_CLIENT_ID)
CITIZEN_OIDC_CLIENT_SECRET = env_str("CITIZEN_OIDC_CLIENT_SECRET", "")
CITIZEN_OIDC_ISSUER = env_str("CITIZEN_OIDC_ISSUER", "")
CITIZEN_OIDC_AUTHORIZATION_ENDPOINT = env_str("CITIZEN_OIDC_AUTHORIZATION_ENDPOINT", "")
CITIZEN_OIDC_TOKEN_ENDPOINT = env_str("CITIZEN_OIDC_TOKEN_ENDPOINT", "")
CITIZEN_OIDC_USERINFO_ENDPOINT = env_str("CITIZEN_OIDC_USERINFO_ENDPOINT", "")
CITIZEN_OIDC_JWKS_ENDPOINT = env_str("CITIZEN_OIDC_JWKS_ENDPOINT", "")
CITIZEN_OIDC_END_SESSION_ENDPOINT = env_str("CITIZEN_OIDC_END_SESSION_ENDPOINT", "")
CITIZEN_OIDC_SIGN_ALGO = env_str("CITIZEN_OIDC_SIGN_ALGO", "RS256")
CITIZEN_OIDC_SCOPES = env_str("CITIZEN_OIDC_SCOPES", "openid email")  # minimal: sub + email (given_name optional)
CITIZEN_OIDC_EXTRA_AUTH_PARAMS = dict(
    parse_qsl(env_str("CITIZEN_OIDC_EXTRA_AUTH_PARAMS", ""))
)  # e.g. acr_values=eidas1
CITIZEN_OIDC_BUTTON_LABEL = env_str("CITIZEN_OIDC_BUTTON_LABEL", "FranceConnect")
CITIZEN_OIDC_TIMEOUT = env_int("CITIZEN_OIDC_TIMEOUT_SECONDS", 10)
if CITIZEN_OIDC_ENABLED:
    _missing = [
        name
        for name, value in {
            "CITIZEN_OIDC_CLIENT_SECRET": CITIZEN_OIDC_CLIENT_SECRET,
            "CITIZEN_OIDC_ISSUER": CITIZEN_OIDC_ISSUER,
            "CITIZEN_OIDC_AUTHORIZATION_ENDPOINT": CITIZEN_OIDC_AUTHORIZATION_ENDPOINT,
            "CITIZEN_OIDC_TOKEN_ENDPOINT": CITIZEN_OIDC_TOKEN_ENDPOINT,
            "CITIZEN_OIDC_USERINFO_ENDPOINT": CITIZEN_OIDC_USERINFO_ENDPOINT,
            "CITIZEN_OIDC_JWKS_ENDPOINT": CITIZEN_OIDC_JWKS_ENDPOINT,
        }.items()
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"CITIZEN_OIDC_CLIENT_ID est défini : il manque {', '.join(_missing)}.")
    _op = urlsplit(CITIZEN_OIDC_END_SESSION_ENDPOINT or CITIZEN_OIDC_ISSUER)
    SECURE_CSP["form-action"].append(f"{_op.scheme}://{_op.netloc}")  # sign-out redirects to the provider
# A citizen identity unused for this long is deleted (its reports stay, unlinked).
PERSONAL_DATA_RETENTION_DAYS["citizen_identity"] = env_int("RETENTION_CITIZEN_IDENTITY_DAYS", 3 * 365)

# SMS (django-sms, pluggable backends): the counter texts the receipt to a person who agreed. The demo
# writes messages to var/sms/; production uses the generic HTTPS gateway (patrimoine/portal/texting.py):
# SMS_BACKEND=patrimoine.portal.texting.HttpGatewayBackend, SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN and a JSON
# body template whose strings may hold $to, $text and $sender.
SMS_BACKEND = env_str("SMS_BACKEND", "sms.backends.filebased.SmsBackend")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(BASE_DIR / "var" / "sms"))
DEFAULT_FROM_SMS = env_str("SMS_SENDER", "PATRIMOINE")  # alphanumeric sender: 11 characters at most
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_AUTH_HEADER = env_str("SMS_GATEWAY_AUTH_HEADER", "Authorization")
SMS_GATEWAY_AUTH_SCHEME = env_str("SMS_GATEWAY_AUTH_SCHEME", "Bearer")
SMS_GATEWAY_TEMPLATE = env_str("SMS_GATEWAY_TEMPLATE", '{"to": "$to", "text": "$text", "sender": "$sender"}')
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT_SECONDS", 10)
if SMS_BACKEND == "patrimoine.portal.texting.HttpGatewayBackend" and not SMS_GATEWAY_URL:
    raise ImproperlyConfigured("SMS_BACKEND est la passerelle HTTP : SMS_GATEWAY_URL doit être défini.")

# --- Past one machine (README « Passer à plusieurs machines », docs/scale-out.md) -------------------
# Every app server is stateless: sessions in the database (Django's default SESSION_ENGINE), the
# cache and the rate limiter's counters in Redis (REDIS_URL above), background jobs in the database
# queue, and the media files — with STORAGE_BACKEND=s3 — in an S3-compatible bucket (django-storages,
# boto3), private: files are only ever served by the application's permission-checked views.
if env_str("REDIS_URL", ""):
    # Several instances (or a test) sharing one Redis keep their keys apart with a prefix.
    CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX", "")
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "s3":
    STORAGES["default"] = s3_storage(os.environ)  # AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL…
elif STORAGE_BACKEND != "filesystem":
    raise ImproperlyConfigured(f"STORAGE_BACKEND doit valoir filesystem ou s3, pas {STORAGE_BACKEND!r}.")

# Reports on a read replica: with DATABASE_REPLICA_URL (a PostgreSQL streaming replica), the reads of
# dashboards, reports and their exports — code wrapped in `patrimoine.core.replica.using_replica()` —
# go to the alias `replica`; every write, and every read after a write or inside a transaction, goes
# to `default`. Without it, everything reads `default`.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL", ""), conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["patrimoine.core.replica.ReplicaRouter"]
