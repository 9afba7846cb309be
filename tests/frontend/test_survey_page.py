# SPDX-License-Identifier: EUPL-1.2
"""/survey/<slug>/: a resident answers on a phone, partly offline; the answer is stored once,
and a second submission from the same phone is refused with a clear message."""

import datetime
import re
from pathlib import PurePosixPath

import pytest
from django.utils import timezone, translation

from surveys.models import Place, Response
from surveys.template import from_template
from tests.frontend import test_static_files

collected = test_static_files.collected  # production's hashed static files, collected
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def survey(municipality):
    today = timezone.localdate()
    return from_template(
        municipality,
        "testila-arki",
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=30),
    )


# Whether the phone's draft of the answers (IndexedDB) holds a text yet.
DRAFT_HAS = """(text) => new Promise((resolve) => {
    const open = indexedDB.open("lyhty-survey", 1);
    open.onsuccess = () => {
        const get = open.result.transaction(["drafts"]).objectStore("drafts").getAll();
        get.onsuccess = () => resolve(JSON.stringify(get.result).includes(text));
    };
})"""


def wait_for_draft(page, text):
    """Until the draft holds the text (page.evaluate awaits the promise; a wait_for_function
    would take the promise itself for a truthy answer)."""
    for _ in range(100):
        if page.evaluate(DRAFT_HAS, text):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the draft never held {text}")


def tap_map(page, question, x, y):
    page.locator(f"#map-{question}").click(position={"x": x, "y": y})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.console_allows(
    "the server responded with a status of 409",  # the second submission, refused
    "net::ERR_INTERNET_DISCONNECTED",  # base-map tiles while the phone is offline
)
def test_a_resident_answers_in_finnish_partly_offline_once(page_in, live_server, survey):
    page = page_in("fi", **PHONE)
    url = f"{live_server.url}/survey/{survey.slug}/"
    page.goto(url)
    page.locator("form[data-ready=true]").wait_for()
    assert page.locator("h1").inner_text() == "Arjen turvallisuus -kysely"

    page.get_by_label("Millä alueella asut?").select_option("1")
    page.locator("input[name=safety_day][value='4']").check()
    page.locator("input[name=safety_dark][value='2']").check()
    page.get_by_label("Puutteellinen valaistus").check()
    page.get_by_label("Liikenne", exact=True).check()
    page.get_by_text("Vastauksesi tähän asti on tallennettu tähän puhelimeen.").wait_for()

    # Progress is kept on the phone: a reload brings the answers back.
    page.reload()
    page.locator("form[data-ready=true]").wait_for()
    assert page.locator("input[name=safety_dark][value='2']").is_checked()
    assert page.get_by_label("Puutteellinen valaistus").is_checked()

    # The network goes; the map answers are given offline.
    page.locator("body[data-offline-ready]").wait_for()
    page.context.set_offline(True)
    tap_map(page, "unsafe_places", 120, 150)
    page.get_by_label("Miksi").first.select_option("lighting")
    page.get_by_label("Milloin").first.select_option("dark")
    tap_map(page, "unsafe_stretches", 100, 100)
    tap_map(page, "unsafe_stretches", 220, 160)
    page.get_by_role("button", name="Valmis").click()
    page.get_by_label("Miksi").nth(1).select_option("traffic")
    wait_for_draft(page, '"reason":"traffic"')

    # Still offline, a reload opens the page (the service worker) with every answer so far.
    page.reload()
    page.locator("form[data-ready=true]").wait_for()
    assert page.locator("input[name=safety_day][value='4']").is_checked()
    assert page.get_by_label("Liikenne", exact=True).is_checked()
    assert page.get_by_label("Miksi").first.input_value() == "lighting"
    assert page.get_by_label("Milloin").first.input_value() == "dark"
    assert page.get_by_label("Miksi").nth(1).input_value() == "traffic"
    assert page.locator("#map-unsafe_stretches path.leaflet-interactive").count() == 1

    # The sending waits on the phone, through another reload without network.
    page.get_by_role("button", name="Lähetä vastaukseni").click()
    page.get_by_text("Ei verkkoyhteyttä").wait_for()
    page.reload()
    page.get_by_text("Ei verkkoyhteyttä").wait_for()
    assert Response.objects.count() == 0

    page.context.set_offline(False)
    page.get_by_text("Kiitos! Vastauksesi on vastaanotettu.").wait_for()
    response = Response.objects.get()
    assert response.home_district.code == "1" and response.language == "fi"
    assert response.device and len(response.device) == 64  # a hash, never the token
    answers = {
        (a.question.code, a.number, a.option and a.option.code) for a in response.answers.all()
    }
    assert answers == {
        ("safety_day", 4, None),
        ("safety_dark", 2, None),
        ("unsafe_because", None, "lighting"),
        ("unsafe_because", None, "traffic"),
    }
    places = {
        (p.question.code, p.reason.code, p.time_of_day, p.stretch is not None)
        for p in Place.objects.all()
    }
    assert places == {
        ("unsafe_places", "lighting", "dark", False),
        ("unsafe_stretches", "traffic", "always", True),
    }

    # Coming back shows the thanks; with the phone's record of it gone, the server refuses.
    page.reload()
    page.get_by_text("Kiitos! Vastauksesi on vastaanotettu.").wait_for()
    page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("lyhty-survey", 1);
            open.onsuccess = () => {
                const tx = open.result.transaction(["done"], "readwrite");
                tx.objectStore("done").clear();
                tx.oncomplete = () => resolve();
            };
        })"""
    )
    page.reload()
    page.locator("form[data-ready=true]").wait_for()
    page.locator("input[name=safety_day][value='5']").check()
    page.locator("input[name=safety_dark][value='5']").check()
    page.get_by_role("button", name="Lähetä vastaukseni").click()
    with translation.override("fi"):
        refused = translation.gettext("This device has already answered this survey. Thank you!")
    assert refused != "This device has already answered this survey. Thank you!"
    page.get_by_text(refused).wait_for()
    assert Response.objects.count() == 1 and Place.objects.count() == 2


@pytest.mark.django_db
def test_the_survey_worker_caches_the_hashed_modules_the_page_imports(collected, client):
    """Offline, the worker answers only for the names it cached: survey.js and the logger's
    idb.js it imports must be there under the names production serves."""
    root, manifest = collected
    survey_js = manifest["frontend/survey/survey.js"]
    imported = re.findall(r'from\s+"([^"]+)"', (root / survey_js).read_text())
    shared = ("frontend/walk/idb.js", "frontend/walk/offline.js")
    assert imported == [f"../walk/{PurePosixPath(manifest[name]).name}" for name in shared]
    worker = client.get("/survey/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    body = worker.content.decode()
    for name in ("frontend/survey/survey.js", *shared, "leaflet/leaflet.js"):
        assert f'"/static/{manifest[name]}"' in body, name
    assert 'const PREFIX = "lyhty-survey-"' in body
    assert "new RegExp(" in body
