# SPDX-License-Identifier: EUPL-1.2
"""The browsable API docs work with no network but the server's own (no CDN)."""

import pytest

from tests.frontend.conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_it_shows_the_api_docs_from_its_own_static_files(page_in, live_server):
    page = page_in("en")
    offsite = []
    page.on("request", lambda r: live_server.url not in r.url and offsite.append(r.url))
    page.goto(f"{live_server.url}/api/docs/")

    page.get_by_text("/api/v1/observations/").first.wait_for()
    assert "Lyhty API" in page.locator(".info .title").inner_text()
    assert offsite == []
    screenshot(page, "api-docs-en")
