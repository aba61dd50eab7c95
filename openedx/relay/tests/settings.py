"""Django settings for the relay's tests: SQLite, the relay app, its plugin settings as the platform applies them."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from openedx_webhooks_relay.settings.common import plugin_settings

HERE = Path(__file__).resolve().parent

SECRET_KEY = "relay-tests-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ALLOWED_HOSTS = ["*"]
SERVICE_VARIANT = "lms"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "openedx_webhooks_relay",
]
# A stand-in for the edx-platform modules the relay connects to (tests/platform/README.md), at their real import
# paths; RELAY_TEST_PLATFORM=0 leaves it out, as a platform without them.
if os.environ.get("RELAY_TEST_PLATFORM", "1") != "0":
    sys.path.insert(0, str(HERE / "platform"))
    INSTALLED_APPS.append("openedx.core.djangoapps.user_api")
# The filter tests' own models, when that app exists.
if (HERE / "filterapp" / "__init__.py").exists():
    INSTALLED_APPS.append("tests.filterapp")

# The test database is a file, shared with the processes a test starts (Celery workers, a sender it kills): they
# get its path as RELAY_TEST_SQLITE. WAL and IMMEDIATE transactions let those processes write side by side.
TEST_DATABASE = os.environ.setdefault(
    "RELAY_TEST_SQLITE_TEST", str(Path(tempfile.gettempdir()) / f"openedx-webhooks-relay-test-{os.getpid()}.sqlite3")
)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("RELAY_TEST_SQLITE", str(HERE.parent / ".test-db.sqlite3")),
        "TEST": {"NAME": TEST_DATABASE},
        "OPTIONS": {
            "timeout": 30,
            # The events bench sets RELAY_TEST_SQLITE_SYNC=OFF: no fsync, whose noise would hide the relay's own
            # cost.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous="
            + os.environ.get("RELAY_TEST_SQLITE_SYNC", "FULL"),
            "transaction_mode": "IMMEDIATE",
        },
    }
}
# MySQL or MariaDB (tests/test_mysql.py, the events bench's `--db mysql`): the platform's database as Tutor
# configures it (tutor/templates/apps/openedx/config/partials/auth.yml: the mysql backend, STRICT_TRANS_TABLES).
if os.environ.get("RELAY_TEST_MYSQL"):
    try:
        import MySQLdb  # noqa: F401 - mysqlclient, the driver Tutor's images use
    except ImportError:  # the tests' venvs have PyMySQL, which needs no C headers
        import pymysql

        pymysql.install_as_MySQLdb()
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": os.environ["RELAY_TEST_MYSQL"],
            "HOST": os.environ.get("RELAY_TEST_MYSQL_HOST", "127.0.0.1"),
            "PORT": int(os.environ.get("RELAY_TEST_MYSQL_PORT", "3306")),
            "USER": os.environ.get("RELAY_TEST_MYSQL_USER", "root"),
            "PASSWORD": os.environ.get("RELAY_TEST_MYSQL_PASSWORD", ""),
            "OPTIONS": {"init_command": "SET sql_mode='STRICT_TRANS_TABLES'", "charset": "utf8mb4"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery on the local Redis, a database number and queue of the relay tests' own (RELAY_TEST_REDIS_URL).
CELERY_BROKER_URL = os.environ.get("RELAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("RELAY_TEST_QUEUE", "openedx-webhooks-relay-tests")
CELERY_TASK_ALWAYS_EAGER = False
if os.environ.get("RELAY_TEST_VISIBILITY_TIMEOUT"):  # a Redis visibility timeout shortened by a test
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": float(os.environ["RELAY_TEST_VISIBILITY_TIMEOUT"])}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "loggers": {"openedx_webhooks_relay": {"handlers": ["console"], "level": "INFO"}},
}

# The relay, configured per test (the `relay` fixture sets URL and key; a Celery worker gets them from the env).
OPENEDX_WEBHOOKS_URL = os.environ.get("RELAY_TEST_SERVICE_URL", "")
OPENEDX_WEBHOOKS_API_KEY = os.environ.get("RELAY_TEST_SERVICE_KEY", "")
# Retries fast in tests; a process started by a test may get a shorter sweep and another delivery mode.
OPENEDX_WEBHOOKS_RETRY_BASE_SECONDS = 1
OPENEDX_WEBHOOKS_OUTBOX_SWEEP_SECONDS = float(os.environ.get("RELAY_TEST_SWEEP_SECONDS", "30"))
OPENEDX_WEBHOOKS_EVENTS_DELIVERY = os.environ.get("RELAY_TEST_DELIVERY", "celery")
OPENEDX_WEBHOOKS_CELERY_QUEUE = os.environ.get("RELAY_TEST_RELAY_QUEUE", "")
OPENEDX_WEBHOOKS_CATALOG_SYNC = False

plugin_settings(sys.modules[__name__])
