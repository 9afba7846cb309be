# SPDX-License-Identifier: EUPL-1.2
"""Lyhty's one settings module. Everything a deployment changes comes from the environment.

Development defaults are safe to run on a laptop; production is switched on by setting
SECRET_KEY, ALLOWED_HOSTS and leaving DEBUG unset (it is off unless asked for).
"""

import ipaddress
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# Development gets a fixed, clearly-labelled key; a server without DEBUG must set its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else None)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "geo",
    "walks",
    "knowledge",
    "surveys",
    "analysis",
    "api",
    "ogc",
    "frontend",
    "plans",
    "demo",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.AfterResponse",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.RefuseNulCharacters",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicy",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-wide overrides of other apps' templates (the admin's icons).
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]


def _default_database_url() -> str:
    # `make run` / `make test` provision a database and record where it is, so that a
    # plain `manage.py` in the same checkout finds it without exporting anything.
    recorded = BASE_DIR / "var" / "database_url"
    if recorded.exists():
        return recorded.read_text().strip()
    return "postgres://postgres@127.0.0.1:5432/lyhty"


def default_conn_max_age(argv: list[str]) -> int:
    """Seconds a database connection is kept for the next request (DATABASE_CONN_MAX_AGE).

    A kept connection belongs to its thread. gunicorn's workers serve every request on one
    of a fixed set of threads (config/gunicorn.py), so there it is kept for a minute and
    reused, checked first (CONN_HEALTH_CHECKS) so that a restarted PostgreSQL costs no
    failed request. runserver
    serves each request on a new thread: kept connections would pile up, one per request
    for a minute, until PostgreSQL refuses more clients; so there none is kept.
    """
    return 0 if argv[1:2] == ["runserver"] else 60


DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_database_url()),
        engine="django.contrib.gis.db.backends.postgis",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default_conn_max_age(sys.argv)),
        conn_health_checks=True,
    )
}
# PostgreSQL's JIT compiles any plan it estimates as costly; for the short, spatially
# indexed queries of a web request compiling costs more (25–35 ms a worker) than it saves.
# Observations get the nearest address within this many metres (PostGIS does it, walks
# migration 0008, reading it from the connection; clients other than Lyhty get 150 m).
# A changed value applies to observations written from then on; `import_addresses` again
# applies it to all of a municipality's.
ADDRESS_MAX_DISTANCE_M = env_int("ADDRESS_MAX_DISTANCE_M", 150)
if not 0 < ADDRESS_MAX_DISTANCE_M <= 10_000:
    raise ImproperlyConfigured(
        f"ADDRESS_MAX_DISTANCE_M must be 1–10000 metres, not {ADDRESS_MAX_DISTANCE_M}."
    )
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    f"-c jit=off -c lyhty.address_max_distance_m={ADDRESS_MAX_DISTANCE_M}"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Helsinki")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Tests and DEBUG serve unhashed files; production gets the compressed manifest.
        "BACKEND": "config.storage.StaticFiles"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The base map. OpenStreetMap's tiles by default; a municipality may point at its own or its
# national mapping agency's (README: Base map, with a Finnish and a Swedish example).
BASEMAP_URL = env_str("BASEMAP_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
BASEMAP_ATTRIBUTION = env_str(
    "BASEMAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

# The plan's PDF and PNG maps are printed by Debian's Chromium (plans/render.py). With
# PRINT_BASEMAP off they are printed without base-map tiles (servers without internet).
CHROMIUM_PATH = env_str("CHROMIUM_PATH", "/usr/bin/chromium")
PRINT_BASEMAP = env_bool("PRINT_BASEMAP", True)

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (61.5, 26.0),
    "DEFAULT_ZOOM": 6,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 19,
    "TILES": [(_("Base map"), BASEMAP_URL, {"attribution": BASEMAP_ATTRIBUTION, "maxZoom": 19})],
    "RESET_VIEW": False,
}


def tile_origin(url: str) -> str:
    """The tile server's origin for the Content-Security-Policy ({s} subdomains: any)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""  # tiles from Lyhty's own origin, or none
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


# Content-Security-Policy (django-csp) on every response: scripts only from Lyhty's own files
# or inline with the request's nonce (`{{ CSP_NONCE }}`: folium's map scripts, django-leaflet's
# admin widgets); never eval or inline handlers. Styles may be inline: Leaflet places every
# tile and marker with a style attribute. Images and fetches also from the base-map server.
_TILES = [origin for origin in [tile_origin(BASEMAP_URL)] if origin]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *_TILES],
        "connect-src": [SELF, *_TILES],
        "font-src": [SELF, "data:"],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (config.middleware.PermissionsPolicy): the phone's position only on the
# pages that place points with it; camera and microphone nowhere (a photo is taken through
# the file input, by the phone's own camera app).
GEOLOCATION_PATHS = ("/walk/", "/report/", "/survey/", "/public/")
# How long personal data is kept, in days (operations/personal_data.py; `manage.py
# apply_retention` daily). After that it is removed or made anonymous; the privacy page of
# each municipality states these figures.
RETENTION_DAYS = {
    "participant_names": env_int("RETENTION_PARTICIPANT_NAMES_DAYS", 365),
    "participant_tracks": env_int("RETENTION_PARTICIPANT_TRACKS_DAYS", 90),
    "resident_emails": env_int("RETENTION_RESIDENT_EMAILS_DAYS", 365),
    "follow_up_links": env_int("RETENTION_FOLLOW_UP_LINKS_DAYS", 730),
    "rejected_photos": env_int("RETENTION_REJECTED_PHOTOS_DAYS", 90),
}
# Sign-in throttling (frontend/signin.py, the site's and the admin's sign-in): failures
# counted per account and per address for LOGIN_FAILURE_WINDOW seconds.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "api.auth.ParticipantAuthentication",
    ],
    # Every view states who may use it; anything that forgets is closed to all.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_SCHEMA_CLASS": "api.schemas.AutoSchema",
    # Formats are chosen by the Accept header (or an export's file extension): a `?format=`
    # would be one more query parameter, which the strict list filters refuse.
    "URL_FORMAT_OVERRIDE": None,
    # DRF's own, hardened: a JSON body nested too deep is a 400 before it is parsed, and an
    # answer that echoes a lone surrogate from the request is still written (api.renderers).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Join codes are short enough to read aloud; throttling keeps them too slow to guess.
    "DEFAULT_THROTTLE_RATES": {"join": env_str("JOIN_THROTTLE_RATE", "20/minute")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Lyhty API",
    "DESCRIPTION": "Safety walks, observations and the municipal safety plan. "
    "Spatial resources are GeoJSON (RFC 7946, EPSG:4326).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "/favicon.ico",  # Lyhty's own (frontend.views.favicon)
    "REDOC_DIST": "SIDECAR",
    # Two choice sets are called `status` (an observation's and an action's): named here.
    "ENUM_NAME_OVERRIDES": {"ActionStatusEnum": "plans.models.ActionStatus"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schemas.document_refused_credentials",
    ],
}

# Largest photo accepted, in bytes (before re-encoding).
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 10 * 1024 * 1024)
# Largest number of observations in one bulk request.
BULK_MAX_ITEMS = 500
# A full bulk request with long notes is a few MB of JSON; photos are uploaded as files
# and have their own limit, so this bounds only the JSON and form bodies.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 8 * 1024 * 1024)


def cache_from_url(url: str) -> dict:
    """One CACHES entry from CACHE_URL (see below)."""
    parts = urlsplit(url)
    # Past this many entries the expired go, then a third of the rest (Django's culling).
    options = {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000)}
    if parts.scheme == "db" and re.fullmatch(r"[a-z_][a-z0-9_]*", parts.netloc):
        backend, location = "django.core.cache.backends.db.DatabaseCache", parts.netloc
    elif parts.scheme in ("redis", "rediss") and parts.netloc:
        # Django's own RedisCache, with the pinned redis client; Redis evicts by itself.
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    elif parts.scheme == "file" and not parts.netloc and parts.path.startswith("/"):
        backend, location = "django.core.cache.backends.filebased.FileBasedCache", parts.path
    elif parts.scheme == "locmem":
        backend, location = "django.core.cache.backends.locmem.LocMemCache", "lyhty"
    else:
        # Only the scheme: a Redis URL may carry a password.
        raise ImproperlyConfigured(
            "CACHE_URL must be db://TABLE, redis://HOST:PORT/DB, file:///PATH or locmem://, "
            f"not a {parts.scheme or 'scheme-less'} URL."
        )
    return {"BACKEND": backend, "LOCATION": location, "OPTIONS": options}


# The cache holds the map's cluster counts, the plan page's figures and prints, and the
# join-code throttle's counts, so every worker (and host) must share it: with a
# per-process cache each gunicorn worker computes its own answers and counts join attempts
# apart, letting a guesser try WORKERS times the rate. (The heat map keeps its own
# pre-aggregates in PostgreSQL: analysis.heatmap.) The default, a table in Lyhty's own
# PostgreSQL (made by `migrate` and by `createcachetable`, which `make run` and
# `make serve` run), needs no other service and is shared by every worker and host; a get
# is one indexed query, small beside the work it saves. With many users, or to take the
# load off PostgreSQL, set redis://host:6379/0 (rediss:// for TLS); file:///path shares
# files between one host's workers; locmem:// is per process, for development only.
CACHES = {"default": cache_from_url(env_str("CACHE_URL", "") or "db://lyhty_cache")}


def env_networks(name: str) -> list:
    """Comma-separated addresses or networks (192.0.2.1, 10.0.0.0/8, ::1)."""
    try:
        return [ipaddress.ip_network(item, strict=False) for item in env_list(name)]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None


# The proxies whose X-Forwarded-For is believed (the join-code throttle counts per client
# address, api.throttling). Empty: none, every request is counted by its own REMOTE_ADDR,
# so a client cannot pose as many by rotating the header. Behind nginx on the same host: 127.0.0.1.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Residents' reports (/report/, /api/v1/reports/): anonymous writes are throttled per
# client address and per browser (a device id the page keeps), at most this many photos.
REPORT_THROTTLE_RATE = env_str("REPORT_THROTTLE_RATE", "30/hour")
REPORT_DEVICE_THROTTLE_RATE = env_str("REPORT_DEVICE_THROTTLE_RATE", "10/hour")
REPORT_MAX_PHOTOS = env_int("REPORT_MAX_PHOTOS", 3)
# Where the links in residents' emails point: this site's address as people reach it.
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

# Email to residents who asked for updates: the console in development, SMTP otherwise
# (EMAIL_HOST and the rest from the environment).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Lyhty <noreply@localhost>")

# Our own sign-in page: the admin's refuses department staff without admin access.
LOGIN_URL = "login"

# Production hardening: on unless DEBUG. Behind a TLS-terminating proxy set
# SECURE_PROXY_SSL_HEADER_ENABLED so Django trusts X-Forwarded-Proto.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Only a submission to the preload list makes this binding; the header alone is harmless.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# GDAL 3.6 cannot stop spatial-reference strings from opening files or URLs (gis.W001).
# Lyhty accepts only EPSG codes it knows from users (geo.crs.parse_epsg), never WKT or PROJ.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
