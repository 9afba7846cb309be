# SPDX-License-Identifier: EUPL-1.2
"""The map workspace opens on the user's own municipality, not on the first by code (once
the national boundary file is imported, that is Alajärvi, 005, and empty)."""

import pytest
from django.contrib.gis.geos import Point

from tests.frontend.test_map import DESK, make_user, sign_in
from walks.models import Category, Observation, UserProfile
from walks.roles import PLANNERS_GROUP, STAFF_GROUP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def observation_in(town, lon, lat):
    Observation.objects.create(
        municipality=town,
        category=Category.objects.get(code="pothole"),
        geom=Point(lon, lat, srid=4326),
    )


def opened_on(page) -> tuple[str, str]:
    """The municipality filter's value and the first municipality offered."""
    select = page.locator("#f-municipality")
    return select.input_value(), select.locator("option").first.get_attribute("value")


def test_it_opens_on_the_users_municipality(page_in, live_server, municipality, alajarvi):
    user = make_user("valo", STAFF_GROUP, units=["street_lighting"])
    UserProfile.objects.create(user=user, municipality=municipality)
    observation_in(alajarvi, 23.8, 63.0)  # data elsewhere does not matter
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "valo", next_path="/map/")

    assert opened_on(page) == ("285", "285")
    assert "municipality=285" in page.url
    # The map shows Testilä (lon 26.90–26.98), not Alajärvi (lon 23.7–23.9).
    centre = page.evaluate("new URLSearchParams(location.search).get('at')").split("/")
    assert 26.90 < float(centre[2]) < 26.98


def test_without_one_it_opens_on_the_first_of_the_users_municipalities(
    page_in, live_server, municipality, alajarvi
):
    make_user("suunnittelija", PLANNERS_GROUP)  # a member of Testilä only
    observation_in(alajarvi, 23.8, 63.0)
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "suunnittelija", next_path="/map/")

    # Alajärvi sorts first and has data, but it is not theirs: it is not even offered.
    assert opened_on(page) == ("285", "285")
    options = page.locator("#f-municipality option")
    assert "005" not in [options.nth(n).get_attribute("value") for n in range(options.count())]
