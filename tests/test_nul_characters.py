# SPDX-License-Identifier: EUPL-1.2
"""An address with a NUL character is a clear 400 in the caller's language, never a 500
from PostgreSQL (which cannot store or compare NUL in text)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/walk/?code=AB%00C",
        "/walk/join/AB%00C/",
        "/walk/join/AB%00C/poster/",
        "/plan/AB%00C/",
        "/api/v1/municipalities/AB%00C/",
        "/api/v1/municipalities/AB%00C/picture/",
        "/api/v1/observations/?category=a%00b",
        "/api/v1/observations/?a%00=b",
        "/map/walks/?municipality=a%00",
    ],
)
def test_it_refuses_a_nul_character_in_the_address(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert "nollamerkki" in response.json()["detail"]
    else:
        assert "nollamerkki" in response.content.decode()


def test_it_lets_ordinary_addresses_through(client):
    assert client.get("/walk/?code=ABC").status_code == 200
