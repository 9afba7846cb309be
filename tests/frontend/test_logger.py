# SPDX-License-Identifier: EUPL-1.2
"""The phone logger, in a phone-sized Chromium with a mocked GPS, against the real server."""

import io
import math
from datetime import timedelta

import pytest
from django.contrib.gis.geos import LineString
from django.utils import timezone
from PIL import Image

from tests.frontend.conftest import screenshot
from walks.models import Observation, Photo, SafetyWalk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CODE = "K7M2QX9P"
HOME = {"latitude": 60.4600, "longitude": 26.9200, "accuracy": 8}


def phone(**extra):
    return {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
        "geolocation": HOME,
        "permissions": ["geolocation"],
        **extra,
    }


@pytest.fixture
def walk(municipality):
    now = timezone.now()
    return SafetyWalk.objects.create(
        municipality=municipality,
        title="Iltakävely Länsi",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        group="residents",
        route=LineString((26.915, 60.458), (26.925, 60.462), srid=4326),
        join_code=CODE,
    )


def join(page, live_server, name="Aino", group="seniors"):
    page.goto(live_server.url + "/walk/")
    page.locator("#walk-code").fill(CODE.lower())
    page.locator("form.walk-form button[type=submit]").tap()
    page.wait_for_url(f"**/walk/join/{CODE}/")
    page.locator("#display-name").fill(name)
    page.locator(f"input[name=group][value={group}]").check()
    page.locator("input[name=privacy_accepted]").check()


def submit_join(page):
    page.locator("#join-form button[type=submit]").tap()
    page.locator("#log").wait_for()
    page.locator("[data-category]").first.wait_for()


def log_point(page, theme, category):
    """The three taps of the common case: theme, category (saved), done."""
    page.locator(f"[data-theme={theme}]").tap()
    page.locator(f"[data-category={category}]").tap()
    page.locator("#done").tap()


def wait_until_sent(page, confirmed):
    """Until nothing waits and the server has confirmed `confirmed` writes since page load."""
    page.locator(f'#outbox[data-waiting="0"][data-confirmed="{confirmed}"]').wait_for()


def metres_between(point, latitude, longitude):
    dy = (point.y - latitude) * 111_320
    dx = (point.x - longitude) * 111_320 * math.cos(math.radians(latitude))
    return math.hypot(dx, dy)


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "LyhtyTestCamera"  # Make
    exif[0x0131] = "secret-software"  # Software
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_it_joins_logs_offline_and_uploads_everything_once(page_in, live_server, walk):
    page = page_in("fi", **phone())
    join(page, live_server)
    screenshot(page, "logger-join-fi")
    submit_join(page)

    places = [(60.4600, 26.9200), (60.4610, 26.9230), (60.4590, 26.9170)]
    points = [("lighting", "lamp_out"), ("road_condition", "pothole"), ("feeling", "safe_place")]
    for (latitude, longitude), (theme, category) in zip(places, points, strict=True):
        page.context.set_geolocation({"latitude": latitude, "longitude": longitude, "accuracy": 8})
        page.locator(f'#map[data-position="{latitude:.5f},{longitude:.5f}"]').wait_for()
        log_point(page, theme, category)
    wait_until_sent(page, confirmed=3)
    screenshot(page, "logger-log-fi")

    stored = list(Observation.objects.filter(walk=walk).select_related("category").order_by("id"))
    assert [o.category.code for o in stored] == ["lamp_out", "pothole", "safe_place"]
    for observation, (latitude, longitude) in zip(stored, places, strict=True):
        assert metres_between(observation.geom, latitude, longitude) < 25
        assert observation.participant.display_name == "Aino"
    assert stored[2].is_positive is True

    # Offline: two more, one with a photo; they wait on the phone, through a reload.
    page.locator("body[data-offline-ready]").wait_for()
    page.context.set_offline(True)
    log_point(page, "vandalism", "graffiti")
    page.locator("[data-theme=lighting]").tap()
    page.locator("[data-category=dark_spot]").tap()
    page.locator("#details summary").tap()
    page.locator("#photo").set_input_files(
        {"name": "dark.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_exif()}
    )
    page.locator("#details input[name=severity][value='4']").check()
    page.locator("#done").tap()
    page.locator('#outbox[data-waiting="2"]').wait_for()
    page.reload()
    page.locator('#outbox[data-waiting="2"]').wait_for()
    assert "2" in page.locator("#outbox").inner_text()
    screenshot(page, "logger-outbox-fi")
    assert Observation.objects.filter(walk=walk).count() == 3

    page.context.set_offline(False)
    wait_until_sent(page, confirmed=2)
    page.wait_for_function(
        "() => new Promise(ok => { const r = indexedDB.open('lyhty-outbox'); r.onsuccess = () =>"
        " { const q = r.result.transaction('photos').objectStore('photos').count();"
        " q.onsuccess = () => ok(q.result === 0); }; })"
    )
    assert Observation.objects.filter(walk=walk).count() == 5
    dark = Observation.objects.get(walk=walk, category__code="dark_spot")
    assert dark.severity == 4
    photo = Photo.objects.get(observation=dark)
    with Image.open(photo.image.path) as image:
        assert not image.getexif()
        assert "exif" not in image.info


def test_it_stores_a_double_tap_and_a_repeated_upload_once_and_corrects_by_map_tap(
    page_in, live_server, walk
):
    page = page_in("en", **phone())
    join(page, live_server)
    submit_join(page)
    page.locator("#position-note").wait_for(state="hidden")
    # The server stores the first upload but its answer never reaches the phone.
    answers = []

    def lose_first_answer(route):
        response = route.fetch()
        answers.append(response.status)
        if len(answers) == 1:
            route.abort()
        else:
            route.fulfill(response=response)

    page.route("**/api/v1/observations/", lose_first_answer)
    page.locator("[data-theme=lighting]").tap()
    page.locator("[data-category=lamp_out]").dblclick()
    wait_until_sent(page, confirmed=1)
    assert len(answers) == 2
    assert Observation.objects.filter(walk=walk).count() == 1
    # Correct it by tapping the map left of the centre: the same observation moves.
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 - 60, box["y"] + box["height"] / 2)
    page.locator("#saved-message", has_text="Place corrected").wait_for()
    page.locator("#done").tap()
    wait_until_sent(page, confirmed=2)

    observation = Observation.objects.get(walk=walk)
    assert observation.position_source == "map"
    assert observation.geom.x < HOME["longitude"]
    assert metres_between(observation.geom, HOME["latitude"], HOME["longitude"]) < 200


def test_it_warns_about_a_poor_fix_and_an_unknown_code(page_in, live_server, walk):
    page = page_in("en", **phone(geolocation={**HOME, "accuracy": 120}))
    page.goto(live_server.url + "/walk/?code=NOPE1234")
    assert "No walk has this code" in page.locator("#walk-code-error").inner_text()
    join(page, live_server)
    submit_join(page)
    assert "± 120 m" in page.locator("#position-note").inner_text()


def visible_lines(page) -> set[str]:
    text = page.locator("body").inner_text()
    return {line.strip() for line in text.splitlines() if line.strip()}


def open_details(page):
    page.locator("[data-theme=lighting]").tap()
    page.locator("[data-category=glare]").tap()
    page.locator("#details summary").tap()
    return page


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_it_speaks_finnish_and_swedish(page_in, live_server, walk, language):
    english = page_in("en", **phone())
    join(english, live_server)
    english_join = visible_lines(english)
    submit_join(english)
    english_log = visible_lines(english) | visible_lines(open_details(english))

    page = page_in(language, **phone())
    join(page, live_server)
    untranslated = visible_lines(page) & english_join
    submit_join(page)
    untranslated |= (visible_lines(page) | visible_lines(open_details(page))) & english_log
    # Names that are the same in every language, and Swedish words that are English too.
    untranslated -= {"Lyhty", "Suomi", "Svenska", "English", walk.title, "Senior"}
    # Map attribution, and the one-letter icons of the category buttons.
    untranslated = {
        line
        for line in untranslated
        if "OpenStreetMap" not in line and sum(map(str.isalpha, line)) > 1
    }
    assert not untranslated
    screenshot(page, f"logger-details-{language}")
