# SPDX-License-Identifier: EUPL-1.2
"""The OpenAPI document: valid without warnings, and the API keeps to it under fuzzing."""

import json
import os

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


def published_schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return json.loads(response.content)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_it_documents_no_format_parameter_it_would_refuse(client, db):
    for path, method, operation in operations(published_schema(client)):
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        assert "format" not in names, f"{method} {path}"


def test_it_says_which_operations_anyone_may_call(client, db):
    anonymous = {
        (method, path)
        for path, method, operation in operations(published_schema(client))
        if {} in operation.get("security", [])
    }
    for public in [
        ("get", "/api/v1/observations/"),
        ("get", "/api/v1/observations/{id}/history/"),
        ("get", "/api/v1/municipalities/{code}/picture/"),
        ("get", "/api/v1/plans/"),
        ("get", "/api/v1/categories/"),
        ("get", "/api/v1/observations/{id}/photos/"),
        ("get", "/api/v1/photos/{id}/image"),
        ("post", "/api/v1/walks/join/"),
        ("post", "/api/v1/surveys/{slug}/responses/"),
        ("get", "/api/v1/surveys/{slug}/results/"),
    ]:
        assert public in anonymous, public
    for closed in [
        ("post", "/api/v1/observations/"),
        ("post", "/api/v1/actions/"),
        ("get", "/api/v1/exports/{layer}.{fmt}"),
        ("put", "/api/v1/walks/{id}/track/"),
        ("post", "/api/v1/observations/{id}/photos/"),
        ("get", "/api/v1/surveys/{slug}/exports/{layer}.{fmt}"),
    ]:
        assert closed not in anonymous, closed


def test_it_documents_the_history_for_every_role(client, db):
    history = published_schema(client)["paths"]["/api/v1/observations/{id}/history/"]["get"]
    item = history["responses"]["200"]["content"]["application/json"]["schema"]["items"]
    assert {"note", "changed_by"}.isdisjoint(item["required"])  # staff only
    assert item["properties"]["from_unit"]["nullable"] is True


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


# `make test` tries a few cases per operation; `make fuzz` many more (LYHTY_FUZZ_EXAMPLES).
EXAMPLES = int(os.environ.get("LYHTY_FUZZ_EXAMPLES", "10"))


def authorization(persona, request) -> dict:
    """The persona's Authorization header; the public sends none."""
    if persona == "public":
        return {}
    client = request.getfixturevalue(persona)
    if persona == "participant":
        return {"Authorization": f"Participant {client.participant.key}"}
    return {"Authorization": f"Token {Token.objects.get(user=client.user).key}"}


@pytest.mark.parametrize("persona", ["public", "participant", "lighting_staff", "planner", "admin"])
def test_it_keeps_to_its_schema_under_fuzzing(
    persona, same_connection, municipality, walk, make_observation, request
):
    make_observation()
    headers = {"Accept-Language": "en", **authorization(persona, request)}
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
            max_examples=EXAMPLES,
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
