# SPDX-License-Identifier: EUPL-1.2
"""Date fields speak the page's language, not the browser's (frontend/static/frontend/dates.js).

The browser here is English (en-US, where <input type=date> reads 12/05/2026); the page is
Finnish or Swedish by the language the user chose. The map's date filters show and accept
dates as the page's language writes them, filter by them, refuse what is not a date in the
page's language without changing the filter, follow a shared link and "Clear filters".
"""

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point

from tests.frontend.conftest import screenshot
from tests.frontend.test_map import DESK, PASSWORD, make_user, settle, wait_ready
from walks.models import Category, Observation
from walks.roles import PLANNERS_GROUP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HELSINKI = ZoneInfo("Europe/Helsinki")
# Three observations in Testilä, one a month.
DAYS = [(2025, 11, 20), (2025, 12, 10), (2026, 1, 20)]


@pytest.fixture
def dated(municipality):
    lamp = Category.objects.get(code="lamp_out")
    for n, day in enumerate(DAYS):
        Observation.objects.create(
            municipality=municipality,
            category=lamp,
            geom=Point(26.91 + n * 0.01, 60.46, srid=4326),
            observed_at=datetime(*day, 18, 0, tzinfo=HELSINKI),
        )
    make_user("suunnittelija", PLANNERS_GROUP)
    return municipality


def open_map(page_in, live_server, language, query=""):
    """The map in an English browser, with the page's language chosen by the user."""
    page = page_in("en-US", viewport=DESK)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/login/?next=/map/%3Fbase%3Dnone{query}")
    page.locator("#id_username").fill("suunnittelija")
    page.locator("#id_password").fill(PASSWORD)
    page.locator(".sign-in-form button[type=submit]").click()
    page.wait_for_url("**/map/**")
    wait_ready(page)
    return page


def shown(page) -> int:
    return int(page.get_attribute("#map-count", "data-count"))


def url_filter(page, name):
    return parse_qs(urlsplit(page.url).query).get(name, [None])[0]


def type_date(page, field, text):
    page.locator(field).fill(text)
    page.locator(field).press("Tab")


def test_it_writes_and_reads_dates_in_finnish(page_in, live_server, dated):
    page = open_map(page_in, live_server, "fi", "%26observed_before%3D2026-01-31")
    after, before = page.get_by_label("Havaittu alkaen"), page.get_by_label("Havaittu ennen")

    # A shared link's ISO date is shown the Finnish way.
    assert before.input_value() == "31.1.2026"
    assert after.get_attribute("placeholder") == "pp.kk.vvvv"
    assert shown(page) == 3

    settle(page, lambda: type_date(page, "#f-after", "5.12.2025"))
    assert url_filter(page, "observed_after") == "2025-12-05"
    assert after.input_value() == "5.12.2025"
    assert shown(page) == 2

    # Not a date (there is no 31 February): a Finnish message, and the filter stays.
    type_date(page, "#f-after", "31.2.2026")
    message = page.locator("#f-after-error")
    assert re.fullmatch(
        r"31\.2\.2026 ei ole päivämäärä\. Kirjoita se muodossa pp\.kk\.vvvv, "
        r"esimerkiksi \d{1,2}\.\d{1,2}\.\d{4}\.",
        message.inner_text(),
    )
    assert after.get_attribute("aria-invalid") == "true"
    message.scroll_into_view_if_needed()
    screenshot(page, "date-fields-fi-refused")
    assert url_filter(page, "observed_after") == "2025-12-05"
    assert shown(page) == 2

    # ISO is understood in every language; a good date clears the message.
    settle(page, lambda: type_date(page, "#f-after", "2025-12-11"))
    assert after.input_value() == "11.12.2025"
    assert message.is_hidden()
    assert shown(page) == 1

    settle(page, lambda: page.get_by_role("button", name="Tyhjennä suodattimet").click())
    assert (after.input_value(), before.input_value()) == ("", "")
    assert shown(page) == 3


def test_it_writes_and_reads_dates_in_swedish(page_in, live_server, dated):
    page = open_map(page_in, live_server, "sv", "%26observed_after%3D2025-12-05")
    after = page.get_by_label("Iakttagen från")

    assert after.input_value() == "2025-12-05"
    assert after.get_attribute("placeholder") == "åååå-mm-dd"
    assert shown(page) == 2

    # The Finnish way is not the Swedish one: refused in Swedish, nothing changes.
    type_date(page, "#f-after", "11.12.2025")
    assert re.fullmatch(
        r"11\.12\.2025 är inget datum\. Skriv det som åååå-mm-dd, till exempel \d{4}-\d\d-\d\d\.",
        page.locator("#f-after-error").inner_text(),
    )
    assert url_filter(page, "observed_after") == "2025-12-05"

    settle(page, lambda: type_date(page, "#f-after", "2025-12-11"))
    assert url_filter(page, "observed_after") == "2025-12-11"
    assert shown(page) == 1
