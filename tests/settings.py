"""
Test settings: the LMS stand-in (plugin discovery as in the LMS) on a real database.

SQLite by default. Set ``MICRODEGREE_TEST_DB_URL`` to run the same suite on MariaDB/MySQL or PostgreSQL, e.g.
``mysql://root@127.0.0.1:3306/microdegree`` or ``postgresql://postgres@127.0.0.1:5432/microdegree``
(the test database is ``test_<name>``, created and dropped by the test run).
"""
from __future__ import annotations

import os
import tempfile
from urllib.parse import urlparse

from edx_django_utils.plugins import add_plugins

from lms_host.settings import *  # noqa: F403  pylint: disable=wildcard-import,unused-wildcard-import

_DB_URL = os.environ.get("MICRODEGREE_TEST_DB_URL", "")


def _database(url: str) -> dict:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/") or "microdegree"
    if parsed.scheme in ("mysql", "mariadb"):
        import pymysql  # pylint: disable=import-outside-toplevel

        pymysql.install_as_MySQLdb()
        return {
            "ENGINE": "django.db.backends.mysql", "NAME": name, "USER": parsed.username or "root",
            "PASSWORD": parsed.password or "", "HOST": parsed.hostname or "127.0.0.1",
            "PORT": str(parsed.port or 3306),
            "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql", "NAME": name, "USER": parsed.username or "postgres",
            "PASSWORD": parsed.password or "", "HOST": parsed.hostname or "127.0.0.1",
            "PORT": str(parsed.port or 5432),
        }
    raise ValueError(f"MICRODEGREE_TEST_DB_URL: unsupported database URL {url!r}")


if _DB_URL:
    DATABASES = {"default": _database(_DB_URL)}
else:
    # A file, not memory: the concurrency tests use several connections at once.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(tempfile.gettempdir(), "microdegree-tests.sqlite3"),
            "OPTIONS": DATABASES["default"]["OPTIONS"],  # noqa: F405 - the host's: a busy timeout, immediate writes
            "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"microdegree-test-{os.getpid()}.sqlite3")},
        }
    }

# A test that runs grade events in other processes (tests/test_concurrency.py) points them at its test database.
if os.environ.get("MICRODEGREE_TEST_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["MICRODEGREE_TEST_DB_NAME"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["loggers"]["microdegree_xblock"]["level"] = "DEBUG"  # noqa: F405

# The plugin's test settings, applied as the LMS's test settings apply them.
add_plugins(__name__, "lms.djangoapp", "test")
