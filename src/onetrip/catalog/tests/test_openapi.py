"""The committed OpenAPI schema: no drift, and no server errors under fuzzing (schemathesis)."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
import yaml
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from onetrip.catalog.tests.factories import departments_create, item_publish
from onetrip.conf.wsgi import application

SCHEMA_FILE = Path(__file__).resolve().parents[4] / "openapi.yaml"


def test_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    committed = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert yaml.safe_load(generated.read_text(encoding="utf-8")) == committed, (
        "openapi.yaml is out of date: run `onetrip spectacular --file openapi.yaml`"
    )


def test_schema_is_served(client, db):
    r = client.get("/api/schema/")
    assert r.status_code == 200 and b"openapi: 3" in r.content
    assert client.get("/api/docs/").status_code == 200


FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


schema = schemathesis.openapi.from_path(str(SCHEMA_FILE))
schema.app = application


@pytest.fixture
def published(db):
    """Catalogue data, and the WSGI app kept on the test's database connection.

    Like Django's test client, stop the request signals from closing the connection that
    holds the test transaction.
    """
    departments_create()
    item_publish(code="FUZZ-1")
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_never_fails_with_a_server_error(case, published):
    case.call_and_validate()


@pytest.fixture
def staff_token(published):
    from rest_framework.authtoken.models import Token

    from onetrip.catalog.tests.factories import catalogue_staff

    return Token.objects.create(user=catalogue_staff("bureau")).key


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_catalogue_staff_never_fails_with_a_server_error(case, staff_token):
    # Generated documents are schema-valid but name departments and files that do not exist,
    # so refusing them (400/422 problem documents) is right; every other check applies.
    case.call_and_validate(
        headers={"Authorization": f"Token {staff_token}"},
        excluded_checks=[positive_data_acceptance],
    )


def test_schema_does_not_depend_on_the_database():
    """Integer ranges from model fields differ between SQLite and PostgreSQL; none may leak."""
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    for bound in ("9223372036854775807", "2147483647", "32767"):
        assert bound not in text


@pytest.fixture
def window_token(published):
    from rest_framework.authtoken.models import Token

    from onetrip.applications.tests.factories import staff
    from onetrip.catalog.models import Department

    officer = staff("fuzz-window", Department.objects.get(code="bureau"), "window")
    return Token.objects.create(user=officer).key


@pytest.fixture
def applicant_token(published):
    from rest_framework.authtoken.models import Token

    from onetrip.applications.tests.factories import ID_A, applicant

    user, _person = applicant("13900000077", ID_A, "张三")
    return Token.objects.create(user=user).key


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_a_window_officer_never_fails_with_a_server_error(case, window_token):
    # Generated numbers and ids name people, items and grants that do not exist: refusing
    # them is right; every other check applies (no 500, problem documents, the schema).
    case.call_and_validate(
        headers={"Authorization": f"Token {window_token}"},
        excluded_checks=[positive_data_acceptance],
    )


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_an_applicant_never_fails_with_a_server_error(case, applicant_token):
    cache.clear()  # sign-in and e-mail code limits would otherwise answer 429 throughout
    case.call_and_validate(
        headers={"Authorization": f"Token {applicant_token}"},
        excluded_checks=[positive_data_acceptance],
    )
