# SPDX-License-Identifier: EUPL-1.2
"""Wrong credentials are refused everywhere, as the schema says, even where none are needed."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", ["Token", "Token not-a-token", "Participant nobody"])
@pytest.mark.parametrize("path", ["/api/v1/plans/", "/api/v1/themes/", "/api/v1/heatmap/"])
def test_it_refuses_invalid_credentials_on_a_public_endpoint(client, path, header):
    response = client.get(path, HTTP_AUTHORIZATION=header)
    assert response.status_code == 403
    assert "detail" in response.json()


def test_the_schema_documents_the_refusal_for_every_operation(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "403" in operation["responses"], (method, path)
