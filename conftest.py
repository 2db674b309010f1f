"""Suite-wide fixtures: which database, the browser, and the test settings."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("ONETRIP_DATA_DIR", os.path.join(os.path.dirname(__file__), "var", "test"))
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made from
# the same thread by fixtures are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (set ONETRIP_DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English leaves English active
    in the thread, and a later test would otherwise read its messages in English."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("ONETRIP_CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


# People the test factories register, as the sandbox registries know them.
SANDBOX_TEST_PEOPLE = [
    {
        "id_number": "110101199003074514",
        "name": "张三",
        "employment": [("2015-01-01", "2026-09-30")],
        "termination": {"end_date": "2026-09-30", "reason": "employer-terminated"},
        "unemployment": {"registered_on": "2026-10-10"},
    },
    {"id_number": "11010119900307109X", "name": "李四", "employment": [("2018-01-01", None)]},
]


@pytest.fixture(scope="session")
def registry_sandbox(tmp_path_factory):
    """The sandbox registries as a real HTTP service on a free port, for the whole session."""
    from onetrip.exchange.sandbox.server import sandbox_build

    server = sandbox_build(
        key_dir=tmp_path_factory.mktemp("exchange-keys"),
        client_id="onetrip-test",
        people=1500,
        enterprises=150,
        seed=7,
        extra_people=SANDBOX_TEST_PEOPLE,
    ).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _exchange_to_sandbox(registry_sandbox, settings):
    """Point the connector at the session's sandbox registries."""
    from onetrip.exchange.connector import breakers_reset, keys_reload

    server = registry_sandbox
    key_dir = server.key_dir
    settings.ONETRIP_EXCHANGE_URL = server.url
    settings.ONETRIP_EXCHANGE_CLIENT_ID = "onetrip-test"
    settings.ONETRIP_EXCHANGE_CLIENT_KEY = str(key_dir / "client.key")
    settings.ONETRIP_EXCHANGE_SERVER_KEY = str(key_dir / "sandbox.pub")
    settings.ONETRIP_EXCHANGE_SERVER_ID = server.app.server_id
    settings.ONETRIP_EXCHANGE_TIMEOUT = 2.0
    breakers_reset()
    keys_reload()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Cheap password hashing, uploads in a per-test directory, an empty cache (rate limits)."""
    from django.core.cache import cache

    from onetrip.core.calendar import calendar_changed

    cache.clear()
    calendar_changed()  # the calendar is re-read from this test's database
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def departments(db):
    from onetrip.catalog.tests.factories import departments_create

    return departments_create()
