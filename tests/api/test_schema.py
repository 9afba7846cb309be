# SPDX-License-Identifier: EUPL-1.2
"""The OpenAPI document: valid without warnings, and the API keeps to it under fuzzing."""

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


def test_it_publishes_a_schema_without_warnings(db, tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    for path in ["/api/v1/observations/", "/api/v1/walks/join/", "/api/v1/categories/"]:
        assert f"{path}:" in schema


def test_it_serves_the_schema_and_the_docs(client, db):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


@pytest.fixture
def same_connection():
    """Keep the WSGI requests inside the test's transaction, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["public", "planner"])
def test_it_keeps_to_its_schema_under_fuzzing(
    persona, same_connection, municipality, walk, make_observation, planner, request
):
    make_observation()
    headers = {"Accept-Language": "en"}
    if persona == "planner":
        headers["Authorization"] = f"Token {Token.objects.get(user=planner.user).key}"
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.headers = {**(case.headers or {}), **headers}
            response = case.call()
            case.validate_response(response, checks=checks)

        try:
            check()
        except Exception as error:  # noqa: BLE001 - collect, then report all at once
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
