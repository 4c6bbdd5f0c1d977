"""Settings: PostGIS from DATABASE_URL, else the embedded cluster (gis_app/embedded.py).

Everything a deployment changes comes from the environment (README, "Deploying"). Secrets
have a development default only while DEBUG is on or the test suite runs; otherwise a
missing DJANGO_SECRET_KEY or AUDIT_HMAC_KEY stops the app at start-up rather than letting
it run on a key that is in the repository.
"""
import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

from gis_app import embedded

BASE_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value in (None, "") else value.strip().lower() in ("1", "true", "yes", "on")


def _list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


DEBUG = _flag("DJANGO_DEBUG")
# pytest (or `manage.py test`) is running: development secrets are allowed, like DEBUG.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]


def _secret(name: str, dev_default: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if DEBUG or TESTING:
        return dev_default
    raise ImproperlyConfigured(f"{name} is not set: with DJANGO_DEBUG off the app does not start "
                               "without it (make demo generates one in .secrets.mk)")


SECRET_KEY = _secret("DJANGO_SECRET_KEY", "dev-only-not-secret-change-in-deployment")
# Keys the audit trail's hash chain (HMAC-SHA256): whoever can write the events table but
# does not hold this key cannot recompute a chain that verifies.
AUDIT_HMAC_KEY = _secret("AUDIT_HMAC_KEY", "dev-only-audit-key")
ALLOWED_HOSTS = _list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Behind HTTPS (DJANGO_HTTPS=1) every transport setting defaults to the safe value; each may
# still be set on its own. The proxy header is trusted only when DJANGO_PROXY_SSL_HEADER=1
# (the proxy must overwrite X-Forwarded-Proto, or a client could claim https).
HTTPS = _flag("DJANGO_HTTPS")
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = _flag("DJANGO_SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = _flag("DJANGO_CSRF_COOKIE_SECURE", HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(31536000 if HTTPS else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = _flag("DJANGO_HSTS_PRELOAD", HTTPS)
if _flag("DJANGO_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "gis_app",
    "boundaries",
    "gis_app.enforcement",
    "gis_app.incidents",
    "gis_app.patrols",
    "gis_app.bundles",
    "gis_app.tokens",
    "layers",
    "gis_app.pages",
]

# gis_app/web/machine_paths.py: which of these API, tile and OGC requests pass by, and why.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gis_app.web.guard.InputGuardMiddleware",   # NUL, lone surrogates, JSON shape and depth
    "gis_app.web.machine_paths.StaticFilesMiddleware",   # WhiteNoise, not on API/tile/OGC paths
    "gis_app.web.machine_paths.PageSessionMiddleware",   # not for API token requests
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "gis_app.web.machine_paths.PageAuthenticationMiddleware",   # not for API token requests
    "gis_app.api.timezones.OutputTimeZoneMiddleware",
    "gis_app.web.refusal_text.LanguageMiddleware",   # Accept-Language: en -> English messages
    "gis_app.web.machine_paths.PageMessageMiddleware",   # messages, pages only
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes) on every login: admin, map and page forms, HTTP Basic.
# LOGIN_FAILURE_LIMIT failures lock the account name, and separately the client address, for
# LOGIN_LOCKOUT_MINUTES; a locked attempt is refused before any password is hashed.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gis_app.lockout.lockout_response"
# Behind N reverse proxies the client address is the Nth from the right in X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
                                     if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"])

ROOT_URLCONF = "gis_app.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "gis_app.pages.context.shell",
    ]},
}]
WSGI_APPLICATION = "gis_app.wsgi.application"


def database_from_url(url: str) -> dict:
    parts = urlparse(url)
    if parts.scheme not in ("postgis", "postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL must be a PostGIS URL (postgis://...), got scheme {parts.scheme!r}")
    return {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # The cluster is durable; only the test suite's own connections skip waiting for the
        # commit to reach disk (a crash could lose its last commits, which nobody needs).
        "OPTIONS": {"options": "-c synchronous_commit=off"} if TESTING else {},
        # Parallel test runs (several developers, CI) each name their own test database.
        "TEST": {"NAME": os.environ.get("GIS_TEST_DB", "test_gis_app")},
    }


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL") or embedded.url())}
# A streaming read replica of the primary (docs/scaling.md): tiles, OGC, territory lists and
# statistics read from it; writes and read-after-write paths stay on the primary
# (gis_app/replica.py). Unset: one database, everything on the primary. Tests mirror it.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {**database_from_url(os.environ["DATABASE_REPLICA_URL"]),
                            "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["gis_app.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Debian bookworm ships GDAL 3.6, which cannot block file/network access from spatial
# references (gis.W001). No user-supplied SRS text reaches GeoDjango's GDAL here: bundles are
# read with pyogrio's own GDAL and CRSs are parsed by boundaries.crs against a fixed list.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "build" / "static"
STATICFILES_DIRS = [BASE_DIR / "layers" / "static"] if (BASE_DIR / "layers" / "static").exists() else []
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

LOGIN_URL = "/login/"  # the pages' login (gis_app/pages/shell.py); afterwards `/` picks the role's home
LOGIN_REDIRECT_URL = "/"

# API tokens (gis_app/web/auth.py): how long a database session keeps a token's user and
# membership before reading them again. Any change to a token, user or membership, made
# anywhere, drops them at the next request (the database announces it: tokens migration 0002).
# 0 = no cache (the test suite runs without one unless a test asks).
TOKEN_CACHE_SECONDS = float(os.environ.get("TOKEN_CACHE_SECONDS", "0" if TESTING else "10"))
TOKEN_CACHE_ENTRIES = int(os.environ.get("TOKEN_CACHE_ENTRIES", "10000"))
# Vector tiles (layers/tile_sql.py): how long a worker keeps a layer's compiled tile statement
# per user and options (per database session). A change to a user, membership, team,
# department or county (a territory reimport) made anywhere drops them at the next request
# (gis_app/web/rights_notices.py); the time bounds only a read replica's lag behind those
# notices (tile_sql.py says how). 0 = compile per tile (the test suite, unless a test asks).
TILE_SQL_CACHE_SECONDS = float(os.environ.get("TILE_SQL_CACHE_SECONDS", "0" if TESTING else "60"))
TILE_SQL_CACHE_ENTRIES = int(os.environ.get("TILE_SQL_CACHE_ENTRIES", "2000"))
# Tiles of county-scoped layers (grids, cases) read only the part of the tile inside the box of
# the user's counties, grown by this many degrees (layers/tile_sql.py: counties_box).
TILE_COUNTY_BOX_MARGIN = float(os.environ.get("TILE_COUNTY_BOX_MARGIN", "0.01"))
# From this zoom on, tiles place lon/lat linearly in the tile's box instead of projecting each
# feature to Web Mercator (layers/tile_sql.py): at most 2.5 of 4096 units off at zoom 10 up to
# 54 N, half that per further zoom; tile edges exact. 23 = always project.
TILE_LINEAR_MIN_ZOOM = int(os.environ.get("TILE_LINEAR_MIN_ZOOM", "10"))
# Tile statements PREPAREd once per database session (layers/tile_sql.py run); off behind a
# transaction-mode connection pooler, which does not keep them.
TILE_PREPARED_STATEMENTS = _flag("TILE_PREPARED_STATEMENTS", True)
# Route batches (gis_app/enforcement/sessions.py): database sessions reading a large batch's
# pieces at once from one snapshot; 2 = the request's and one more per worker thread, 1 = one.
ROUTE_BATCH_SESSIONS = int(os.environ.get("ROUTE_BATCH_SESSIONS", "2"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gis_app.web.auth.TokenAuthentication",
        "gis_app.web.auth.HTTPSBasicAuthentication",   # desktop GIS (QGIS Basic), HTTPS only
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "gis_app.web.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "gis_app.api.pagination.CountedPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "gis_app.web.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Grid governance and enforcement map server",
    "DESCRIPTION": "Territory, routing, cases, patrols and map layers. Coordinates are WGS84 "
                   "(EPSG:4326) unless a response says otherwise.",
    "VERSION": "0.1.0",
    # Request bodies as their own components (clients get typed bodies, not the answers' types).
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "gis_app.web.schema.add_error_responses"],
    # Swagger UI and Redoc from drf-spectacular-sidecar's static copies: intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Deadlines per whistle kind, in hours (快捷哨 quick, 攻坚哨 tough, 应急哨 emergency).
WHISTLE_DEADLINE_HOURS = {
    "quick": int(os.environ.get("WHISTLE_QUICK_HOURS", "24")),
    "tough": int(os.environ.get("WHISTLE_TOUGH_HOURS", "168")),
    "emergency": int(os.environ.get("WHISTLE_EMERGENCY_HOURS", "2")),
}

# API tokens stop working this many days after they were issued (0: never); reissue with
# `manage.py issue_token USER --reissue` (keeps nothing of the old one: add --read-only again).
API_TOKEN_MAX_AGE_DAYS = int(os.environ.get("API_TOKEN_MAX_AGE_DAYS", "90"))

# JSON request bodies: at most this deeply nested (gis_app/web/guard.py).
JSON_MAX_DEPTH = int(os.environ.get("JSON_MAX_DEPTH", "32"))

# Request bodies: every uploaded file is streamed to disk (never held whole in memory) and
# refused with a 413 naming the limit once it passes UPLOAD_MAX_BYTES (gis_app/uploads.py).
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(100 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = ["gis_app.uploads.CappedUploadHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]

# Working time (Asia/Shanghai local): the periods of a working day, for limits in working
# hours or days (gis_app/enforcement/worktime.py). Days come from China's holiday calendar
# plus the county's own `calendar` table.
WORKING_HOURS = os.environ.get("WORKING_HOURS", "08:30-12:00,14:00-17:30")

# 督办 ladder: each rung fires once when this share of a case's time limit is used up
# (黄灯 yellow at 80%, 红灯 red when overdue, county at twice the limit). level:share, ...
SUPERVISION_LADDER = os.environ.get("SUPERVISION_LADDER", "yellow:0.8,red:1.0,county:2.0")

# Near-border confirmation: another township's land (or the sea) within this many metres of a
# routed point makes the answer ambiguous (a phone's reported accuracy replaces it when given).
ROUTE_TOLERANCE_M = float(os.environ.get("ROUTE_TOLERANCE_M", "30"))
ROUTE_MAX_TOLERANCE_M = float(os.environ.get("ROUTE_MAX_TOLERANCE_M", "1000"))
# Batch decisions kept across requests per worker, under each county's rules stamp
# (enforcement/decision_cache.py); ~2-3 KB each; cleared whole when full.
ROUTER_DECISION_CACHE_ENTRIES = int(os.environ.get("ROUTER_DECISION_CACHE_ENTRIES", "20000"))

# Place search for the hotline (GET /api/places): the most candidates one answer may list.
PLACE_SEARCH_MAX = int(os.environ.get("PLACE_SEARCH_MAX", "50"))

# Case attachments (photos, videos, documents): the most one upload may be.
CASE_ATTACHMENT_MAX_BYTES = int(os.environ.get("CASE_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))

# Photos sent with a report or a step (gis_app/incidents/photos.py): checked by their content.
# Phones shrink photos before upload (~0.3 MB), so the limits leave a camera original room.
CASE_PHOTO_MAX_BYTES = int(os.environ.get("CASE_PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
CASE_PHOTO_MAX_PIXELS = int(os.environ.get("CASE_PHOTO_MAX_PIXELS", str(50_000_000)))
CASE_PHOTO_MAX_COUNT = int(os.environ.get("CASE_PHOTO_MAX_COUNT", "9"))
CASE_PHOTO_TYPES = [t.strip() for t in os.environ.get(
    "CASE_PHOTO_TYPES", "image/jpeg,image/png,image/webp").split(",") if t.strip()]
# Open311 media_url: fetched only from these hosts ("host" or "host:port", comma-separated);
# from any other host the URL is kept as a link. None by default: the server fetches nothing.
CASE_MEDIA_HOSTS = [h.strip().lower() for h in os.environ.get("CASE_MEDIA_HOSTS", "").split(",") if h.strip()]
CASE_MEDIA_TIMEOUT_SECONDS = float(os.environ.get("CASE_MEDIA_TIMEOUT_SECONDS", "10"))
# 到场: an arrival recorded farther than this from the case's position is flagged.
CASE_ARRIVAL_MAX_METRES = float(os.environ.get("CASE_ARRIVAL_MAX_METRES", "200"))

# Optional basemap for map pages; none by default (intranet), boundaries come from our tiles.
# A tile URL template ({z}/{x}/{y}), e.g. the county's own tile server; attribution beside it.
MAP_BASEMAP_URL = os.environ.get("MAP_BASEMAP_URL", "")
MAP_BASEMAP_ATTRIBUTION = os.environ.get("MAP_BASEMAP_ATTRIBUTION", "")
MAP_REFRESH_SECONDS = int(os.environ.get("MAP_REFRESH_SECONDS", "30"))  # live layers on map pages
MAP_LOGIN_URL = "/login/"  # map pages send anonymous visitors here (any role may log in)

# LOG_LEVEL is the handler's level as well as the root's: a record of a child logger that sets
# its own level (Django's `django` logger is INFO) reaches the root's handler by propagation,
# which skips the root's level, so "Unauthorized: /api/route" (django.request, WARNING) was
# printed at LOG_LEVEL=ERROR. Errors (500s are ERROR) still print at ERROR.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# Patrols (gis_app/patrols): cleaning of uploaded GPS tracks, the coverage line, live
# positions and 1+X hub reach. Each may be overridden from the environment.
PATROL_MAX_SPEED_KMH = float(os.environ.get("PATROL_MAX_SPEED_KMH", "120"))  # faster = absurd jump
PATROL_GAP_SECONDS = int(os.environ.get("PATROL_GAP_SECONDS", "600"))  # longer breaks the line
PATROL_GAP_METRES = float(os.environ.get("PATROL_GAP_METRES", "1000"))  # farther breaks the line
PATROL_MAX_FIXES = int(os.environ.get("PATROL_MAX_FIXES", "500000"))  # per upload
PATROL_MAX_PROBLEMS = int(os.environ.get("PATROL_MAX_PROBLEMS", "1000"))  # reading stops there
PATROL_STALE_MINUTES = float(os.environ.get("PATROL_STALE_MINUTES", "15"))  # live position age
PATROL_PLAN_TOLERANCE_M = float(os.environ.get("PATROL_PLAN_TOLERANCE_M", "30"))  # route walked
PATROL_HUB_MAX_MINUTES = float(os.environ.get("PATROL_HUB_MAX_MINUTES", "30"))  # response time
PATROL_HUB_DETOUR = float(os.environ.get("PATROL_HUB_DETOUR", "1.4"))  # road km per straight km
PATROL_HUB_SPEED_KMH = float(os.environ.get("PATROL_HUB_SPEED_KMH", "30"))  # straight-line speed
PATROL_HUB_SNAP_METRES = float(os.environ.get("PATROL_HUB_SNAP_METRES", "2000"))  # to the network
PATROL_DUPLICATE_METRES = float(os.environ.get("PATROL_DUPLICATE_METRES", "5"))  # same fix again
FOOTPRINT_MAX_AREA_M2 = float(os.environ.get("FOOTPRINT_MAX_AREA_M2", "100000000"))  # 100 km2
FOOTPRINT_MAX_VERTICES = int(os.environ.get("FOOTPRINT_MAX_VERTICES", "20000"))
FOOTPRINT_MAX_UPLOAD_BYTES = int(os.environ.get("FOOTPRINT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))

# Territory bundles (gis_app/bundles): what one bundle may make the server unpack and read.
BUNDLE_ZIP_MAX_ENTRIES = int(os.environ.get("BUNDLE_ZIP_MAX_ENTRIES", "2000"))
BUNDLE_ZIP_MAX_BYTES = int(os.environ.get("BUNDLE_ZIP_MAX_BYTES", str(2 * 1024 ** 3)))  # unpacked
BUNDLE_ZIP_MAX_RATIO = float(os.environ.get("BUNDLE_ZIP_MAX_RATIO", "200"))  # per member
BUNDLE_TEAM_BASE_TOLERANCE_M = float(os.environ.get("BUNDLE_TEAM_BASE_TOLERANCE_M", "5000"))

# People's pages (gis_app/pages): the case queue's page size and refresh, the most rows an
# export writes, the big screen's refresh.
PAGES_QUEUE_PAGE_SIZE = int(os.environ.get("PAGES_QUEUE_PAGE_SIZE", "50"))
PAGES_QUEUE_REFRESH_SECONDS = int(os.environ.get("PAGES_QUEUE_REFRESH_SECONDS", "30"))
PAGES_EXPORT_MAX_ROWS = int(os.environ.get("PAGES_EXPORT_MAX_ROWS", "100000"))
PAGES_SCREEN_REFRESH_SECONDS = int(os.environ.get("PAGES_SCREEN_REFRESH_SECONDS", "60"))
# How long the screen's counts are shared between the screens of one county (per worker);
# 0 = computed per request (the test suite, which changes cases between reads).
PAGES_SCREEN_CACHE_SECONDS = int(os.environ.get("PAGES_SCREEN_CACHE_SECONDS", "0" if TESTING else "20"))

# 考核 (gis_app/incidents/assessment.py): dispatched staff are scored by the township they
# serve and by the department that sent them (the seeds' 70 % / 30 %).
ASSESSMENT_TOWNSHIP_WEIGHT = float(os.environ.get("ASSESSMENT_TOWNSHIP_WEIGHT", "0.7"))
ASSESSMENT_DEPARTMENT_WEIGHT = float(os.environ.get("ASSESSMENT_DEPARTMENT_WEIGHT", "0.3"))
