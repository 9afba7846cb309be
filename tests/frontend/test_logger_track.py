# SPDX-License-Identifier: EUPL-1.2
"""Recording one's route on the phone: opt-in, thinned, kept through an offline spell and a
reload, uploaded whole; the walk's recorded track is built from it in PostGIS."""

import pytest

from tests.frontend.conftest import screenshot
from tests.frontend.test_logger import HOME, join, phone, submit_join
from tests.frontend.test_logger import walk as walk  # noqa: F401  the fixture
from walks.models import ParticipantTrack, SafetyWalk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STEP = 0.0003  # about 33 m north


def at(n, east=0.0):
    return (round(HOME["latitude"] + n * STEP, 6), round(HOME["longitude"] + east, 6))


def move(page, position, accuracy=8):
    latitude, longitude = position
    page.context.set_geolocation(
        {"latitude": latitude, "longitude": longitude, "accuracy": accuracy}
    )
    page.locator(f'#map[data-position="{latitude:.5f},{longitude:.5f}"]').wait_for()


def kept(page, n):
    page.locator(f'#track-status[data-kept="{n}"]').wait_for()


def test_it_records_the_route_only_when_asked_and_uploads_it_after_an_offline_spell(
    page_in, live_server, walk
):
    page = page_in("en", **phone())
    join(page, live_server)
    submit_join(page)
    page.locator("#position-note").wait_for(state="hidden")
    # Off by default: walking records nothing.
    assert not page.locator("#record-track").is_checked()
    move(page, at(1))
    move(page, at(0))
    page.wait_for_timeout(300)
    assert page.locator("#track-status").is_hidden()

    page.locator("#record-track").check()
    kept(page, 1)  # where the phone is now
    move(page, at(1))
    kept(page, 2)
    page.locator('#track-status[data-sent="2"]').wait_for()  # the first upload goes at once
    screenshot(page, "logger-track-en")
    # A step of a few metres and a poor fix are not kept.
    move(page, (at(1)[0] + 0.00003, at(1)[1]))
    move(page, at(3), accuracy=120)
    move(page, at(2))
    kept(page, 3)

    # Offline: the route goes on and survives a reload.
    page.locator("body[data-offline-ready]").wait_for()
    page.context.set_offline(True)
    move(page, at(3))
    move(page, at(3, east=0.0006))
    kept(page, 5)
    page.reload()
    kept(page, 5)
    assert page.locator("#record-track").is_checked()
    # What reached the server before the connection went depends on timing (the periodic
    # upload, the one when the page is hidden); after it returns, all of it must be there.
    track = ParticipantTrack.objects.get(participant__walk=walk)

    page.context.set_offline(False)
    page.locator('#track-status[data-sent="5"]').wait_for()
    expected = [at(0), at(1), at(2), at(3), at(3, east=0.0006)]
    track.refresh_from_db()
    assert [(lat, lon) for lon, lat in track.geom.coords] == expected
    walk = SafetyWalk.objects.get(pk=walk.pk)
    assert walk.track.geom_type == "MultiLineString"
    assert [tuple(c) for c in walk.track[0].coords] == [(lon, lat) for lat, lon in expected]

    # Switching it off stops recording.
    page.locator("#record-track").uncheck()
    move(page, at(6))
    page.wait_for_timeout(300)
    track.refresh_from_db()
    assert len(track.geom.coords) == 5
