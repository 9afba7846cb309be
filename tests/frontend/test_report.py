# SPDX-License-Identifier: EUPL-1.2
"""A resident's report end to end, in a phone-sized Chromium against the live server:
reported offline with a photo, uploaded once when the network returns, followed by its
link, accepted by a department user on /map/, shown on the public map, fixed, and the
resident told by email."""

import io

import pytest
from django.core import mail
from PIL import Image

from tests.frontend.conftest import screenshot
from tests.frontend.test_map import make_user, sign_in
from walks.models import Moderation, Observation, Photo, ResidentReport, Source, Status
from walks.roles import STAFF_GROUP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOME = {"latitude": 60.4600, "longitude": 26.9200, "accuracy": 8}
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "geolocation": HOME,
    "permissions": ["geolocation"],
}


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


# Offline, the pin's image cannot load (the page has no service worker of its own).
@pytest.mark.console_allows("net::ERR_INTERNET_DISCONNECTED")
def test_a_resident_reports_offline_and_follows_it_until_fixed(page_in, live_server, municipality):
    page = page_in("fi", **PHONE)
    page.goto(live_server.url + "/report/")
    page.locator("#report-map.leaflet-container").wait_for()
    page.locator('#report-outbox[data-waiting="0"]').wait_for()

    # Offline: placed by the phone's position, with a photo and an email address.
    page.context.set_offline(True)
    page.locator("#use-location").tap()
    page.locator(".leaflet-marker-icon").wait_for()
    page.locator("input[name=category][value=lamp_out]").check()
    page.locator("#report-form details summary").tap()
    page.locator("#report-note").fill("Lamppu ei pala")
    page.locator("#report-photos").set_input_files(
        {"name": "lamp.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    page.locator("#report-email").fill("asukas@example.fi")
    page.locator("#report-send").tap()
    page.locator('#report-outbox[data-waiting="1"]').wait_for()
    screenshot(page, "report-offline-fi")
    assert not Observation.objects.exists()

    # Online again: sent once, the photo after it, the follow-up link shown.
    page.context.set_offline(False)
    link = page.locator("a.follow-up-link")
    link.wait_for()
    page.locator('#report-outbox[data-waiting="0"]').wait_for()
    page.wait_for_function(
        "() => new Promise(ok => { const r = indexedDB.open('lyhty-outbox'); r.onsuccess = () =>"
        " { const q = r.result.transaction('photos').objectStore('photos').count();"
        " q.onsuccess = () => ok(q.result === 0); }; })"
    )
    report = Observation.objects.get()
    assert (report.source, report.moderation, report.description) == (
        Source.RESIDENT,
        Moderation.PENDING,
        "Lamppu ei pala",
    )
    assert Photo.objects.filter(observation=report).count() == 1
    follow_up = link.get_attribute("href")
    page.goto(follow_up)
    assert page.locator("#report-status").get_attribute("data-status") == "new"
    screenshot(page, "report-follow-up-new-fi")

    # A street-lighting user accepts it on /map/.
    make_user("valaistus", STAFF_GROUP, units=["street_lighting"])
    desk = page_in("en", viewport={"width": 1280, "height": 800})
    to_moderate = f"/map/?base=none&moderation=pending&selected={report.pk}"
    sign_in(desk, live_server, "valaistus", to_moderate)
    desk.locator("#moderation:not([hidden])").wait_for()
    screenshot(desk, "report-moderation-en")
    desk.locator("[data-moderate=accept]").click()
    desk.locator("#moderation-message").filter(has_text="Moderated").wait_for()
    report.refresh_from_db()
    assert (report.moderation, report.visibility) == (Moderation.ACCEPTED, "public")

    # The follow-up page and the public map show it.
    page.goto(follow_up)
    page.locator("#report-moderation").wait_for()
    public = page_in("fi", viewport={"width": 1280, "height": 800})
    public.goto(live_server.url + "/")
    public.get_by_role("link", name="Julkinen kartta").click()
    public.wait_for_url("**/public/**")
    public.locator("#public-count").filter(has_text="1").wait_for()
    screenshot(public, "public-map-fi")

    # Fixed, on /map/: the follow-up page says so and the resident gets an email.
    for status in (Status.CONFIRMED, Status.RESOLVED):
        desk.locator(f"#detail[data-id='{report.pk}']:not([hidden])").wait_for()
        desk.get_by_label("New status").select_option(status)
        desk.get_by_role("button", name="Save change").click()
        desk.locator(f"#detail[data-status='{status}']").wait_for()
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    page.goto(follow_up)
    assert page.locator("#report-status").get_attribute("data-status") == "resolved"
    assert [m.to for m in mail.outbox][-1] == ["asukas@example.fi"]
    token = ResidentReport.objects.get().token
    assert f"/report/unsubscribe/{token}/" in mail.outbox[-1].body


def test_a_resident_supports_the_same_report_20_m_away_instead_of_a_new_one(
    page_in, live_server, municipality
):
    from django.contrib.gis.geos import Point

    from walks.models import Category

    original = Observation.objects.create(
        municipality=municipality,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(HOME["longitude"], HOME["latitude"], srid=4326),
        description="Valo sammunut",
    )
    twenty_m_north = {**HOME, "latitude": HOME["latitude"] + 20 / 111_000}
    page = page_in("sv", **{**PHONE, "geolocation": twenty_m_north})
    page.goto(live_server.url + "/report/")
    page.locator("#report-map.leaflet-container").wait_for()
    page.locator("#use-location").tap()
    page.locator("input[name=category][value=dark_spot]").check()
    same = page.locator(f"button.same[data-observation='{original.pk}']")
    same.wait_for()
    assert "Valo sammunut" in page.locator("#same-list").inner_text()
    screenshot(page, "report-same-sv")
    same.tap()
    page.locator("#report-message").filter(has_text="Tack").wait_for()

    original.refresh_from_db()
    assert original.support_count == 1
    assert Observation.objects.count() == 1
