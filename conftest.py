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
