"""
Settings of the LMS stand-in: what the LMS's ``lms/envs/common.py`` does for plugins, and little else.
"""
from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

import django
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from edx_django_utils.plugins import add_plugins, get_plugin_apps

BASE_DIR = Path(__file__).resolve().parent
# Other installed plugins (edx-completion) name LMS modules in their plugin config; stand-ins let them load.
sys.path.append(str(BASE_DIR / "platform_stubs"))
SECRET_KEY = os.environ.get("LMS_HOST_SECRET_KEY", "insecure-lms-host-key-for-tests-and-demo-only")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "lms_host.urls"
LMS_ROOT_URL = os.environ.get("LMS_ROOT_URL", "http://127.0.0.1:8000")
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
USE_I18N = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The demo's index shows courseware units and the achievements page in iframes of the same site.
X_FRAME_OPTIONS = "SAMEORIGIN"
STATIC_URL = "/static/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "eventtracking.django.apps.EventTrackingConfig",  # the LMS's event tracker, used by edx-completion
    "waffle",  # edx-completion (found below through its lms.djangoapp entry point) uses waffle switches
    "lms_host",
    "lms.djangoapps.grades",  # stand-in: the LMS's persistent course grades, which the backfill reads
    "workbench",  # xblock-sdk's XBlock workbench, the runtime of the demo's and the browser tests' panels
]
# As the LMS does: every installed plugin app of the LMS, found through its entry point.
INSTALLED_APPS.extend(get_plugin_apps("lms.djangoapp"))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("LMS_HOST_DB", str(BASE_DIR.parent / ".demo" / "db.sqlite3")),
        # Several writers at once (the threaded demo server, Celery, management commands): each write transaction
        # takes SQLite's write lock when it begins and waits up to 30 s for it, instead of failing with "database is
        # locked" when a read lock cannot be upgraded (docs/decisions/0025-sqlite-writers-wait.rst).
        "OPTIONS": {"timeout": 30, **({"transaction_mode": "IMMEDIATE"} if django.VERSION >= (5, 1) else {})},
    }
}

# The XBlock workbench (lms_host/xblock_workbench.py, mounted at /workbench/): the LMS's user service for its
# learners, and only the microdegree block's scenarios on its index (not xblock-sdk's samples).
WORKBENCH = {
    "reset_state_on_restart": False,
    "services": {"user": "lms_host.xblock_workbench.LmsUserService"},
}
EXCLUDED_XBLOCKS = {
    "allscopes_demo", "attempts_scoreboard_demo", "debugchild", "equality_demo", "filethumbs", "helloworld_demo",
    "html_demo", "problem_demo", "sequence_demo", "sidebar_demo", "slider_demo", "textinput_demo", "thumbs",
    "vertical_demo", "view_counter_demo",
}

# The LMS's tracking-log event pipeline, with no backend: events are emitted and dropped.
EVENT_TRACKING_BACKENDS: dict = {}
EVENT_TRACKING_ENABLED = True



def _jwt_auth() -> dict:
    """
    Return JWT_AUTH shaped as the LMS sets it, with a key nobody holds.

    The public signing key and the issuer's secret are made at start-up and thrown away: the stand-in has no token
    issuer, so no JWT may verify in it.
    """
    public = jwt.algorithms.RSAAlgorithm.to_jwk(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(), as_dict=True
    )
    return {
        "JWT_AUTH_HEADER_PREFIX": "JWT",
        "JWT_ISSUERS": [
            {"ISSUER": f"{LMS_ROOT_URL}/oauth2", "AUDIENCE": "lms", "SECRET_KEY": secrets.token_urlsafe(48)},
        ],
        "JWT_PUBLIC_SIGNING_JWK_SET": json.dumps({"keys": [public]}),
        "JWT_DECODE_HANDLER": "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler",
    }


JWT_AUTH = _jwt_auth()

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"microdegree_xblock": {"handlers": ["console"], "level": "INFO"}},
}

# The plugin's settings, applied as the LMS applies them.
add_plugins(__name__, "lms.djangoapp", "common")
