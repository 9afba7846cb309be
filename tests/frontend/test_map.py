# SPDX-License-Identifier: EUPL-1.2
"""The map workspace in Debian's Chromium against the live server: sign in, filter, count,
triage, heat map and choropleth, a shared URL, and who is turned away."""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point

from geo.models import Municipality
from tests.api.conftest import GROUP_ROLES, member
from tests.frontend.conftest import screenshot
from walks.models import Category, Observation, ResponsibleUnit, StatusChange
from walks.roles import PLANNERS_GROUP, STAFF_GROUP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "lyhty-test-1"  # noqa: S105 - a test account on the test server
DESK = {"width": 1280, "height": 800}


def make_user(username, group=None, units=(), towns=("285",)):
    """A user of the group's role, a member of the municipalities with these codes (the
    test town: tests.conftest.make_town)."""
    # Transactional tests empty auth_group: the role groups of walks 0003 are made here.
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
        for town in Municipality.objects.filter(code__in=towns):
            member(user, town, GROUP_ROLES[group])
    for code in units:
        ResponsibleUnit.objects.get(code=code).members.add(user)
    return user


@pytest.fixture
def town(municipality):
    """Observations spread over Testilä: lighting and road problems in West and East."""
    west, east = municipality.districts.order_by("code")
    spots = {
        # (category, lon, lat)
        "west": [
            ("lamp_out", 26.910, 60.450),
            ("lamp_out", 26.915, 60.465),
            ("dark_spot", 26.925, 60.455),
            ("glare", 26.930, 60.470),
            ("pothole", 26.920, 60.460),
            ("pothole", 26.935, 60.445),
        ],
        "east": [("lamp_out", 26.950, 60.450), ("dark_spot", 26.965, 60.470)],
    }
    made = {}
    for side, rows in spots.items():
        for category, lon, lat in rows:
            made.setdefault(side, []).append(
                Observation.objects.create(
                    municipality=municipality,
                    category=Category.objects.get(code=category),
                    geom=Point(lon, lat, srid=4326),
                    severity=3,
                )
            )
    return {"municipality": municipality, "west": west, "east": east, "made": made}


def sign_in(page, live_server, username, next_path="/map/?base=none"):
    page.goto(live_server.url + next_path)
    page.wait_for_url("**/login/**")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/map/**")
    wait_ready(page)


def wait_ready(page):
    page.wait_for_function(
        "() => document.getElementById('workspace')?.dataset.ready === 'true'", timeout=20_000
    )


def settle(page, action):
    """Do something that reloads the layers, and wait until they are drawn again."""
    generation = page.get_attribute("#workspace", "data-generation")
    action()
    page.wait_for_function(
        "g => { const w = document.getElementById('workspace');"
        " return w.dataset.ready === 'true' && w.dataset.generation !== g; }",
        arg=generation,
        timeout=20_000,
    )


def counts(page):
    return (
        int(page.get_attribute("#map-count", "data-count")),
        int(page.get_attribute("#list-count", "data-count")),
        page.locator("path.obs-point").count(),
        page.locator(".obs-item").count(),
    )


def api(page, path):
    """GET through the signed-in browser session, as the page itself would."""
    return page.evaluate(
        "async path => (await fetch(path, {headers: {Accept: 'application/json'}})).json()", path
    )


def test_it_shows_a_department_user_the_same_count_on_the_map_and_in_the_list(
    page_in, live_server, town
):
    make_user("valo", STAFF_GROUP, units=["street_lighting"])
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "valo")

    settle(page, lambda: page.get_by_label("Theme").select_option("lighting"))
    settle(page, lambda: page.get_by_label("District", exact=True).select_option(label="Länsi"))

    expected = Observation.objects.filter(
        category__theme__code="lighting", district=town["west"]
    ).count()
    assert expected == 4
    assert counts(page) == (expected, expected, expected, expected)
    assert page.locator("#map-count").inner_text() == "4 observations in view"
    assert page.locator("#list-count").inner_text() == "4 observations"
    query = parse_qs(urlsplit(page.url).query)
    assert query["theme"] == ["lighting"]
    assert query["district"] == [str(town["west"].pk)]
    screenshot(page, "map-staff-lighting-west")

    # Selecting in the list highlights on the map, and the other way round.
    first = page.locator(".obs-item").first
    first.focus()
    page.keyboard.press("Enter")
    chosen = first.get_attribute("data-id")
    expect_selected(page, chosen)
    other = page.locator(f"path.obs-point:not([data-id='{chosen}'])").first
    other_id = other.get_attribute("data-id")
    other.click()
    expect_selected(page, other_id)


def test_the_first_screens_list_names_each_observations_district(page_in, live_server, town):
    """The first screen does not wait for the districts before its other requests, so the
    list must: here the districts come a second after everything else."""
    make_user("kaava", PLANNERS_GROUP)
    page = page_in("en", viewport=DESK)

    def late(route):
        time.sleep(1)
        route.continue_()

    page.route("**/api/v1/districts/**", late)
    sign_in(page, live_server, "kaava")

    west = {o.pk for o in town["made"]["west"]}
    east = {o.pk for o in town["made"]["east"]}
    rows = page.locator(".obs-item")
    assert rows.count() == len(west | east)
    for row in rows.all():
        name = "Länsi" if int(row.get_attribute("data-id")) in west else "Itä"
        assert name in row.locator(".obs-meta").inner_text()


def expect_selected(page, observation_id):
    page.wait_for_selector(f"#detail[data-id='{observation_id}']:not([hidden])")
    assert page.get_attribute(f".obs-item[data-id='{observation_id}']", "aria-pressed") == "true"
    stroke = page.get_attribute(f"path.obs-point[data-id='{observation_id}']", "stroke")
    assert stroke == "#0050b3"
    assert page.locator(".obs-item[aria-pressed=true]").count() == 1


def test_it_changes_a_status_and_marks_a_duplicate_picked_on_the_map(page_in, live_server, town):
    make_user("valo", STAFF_GROUP, units=["street_lighting"])
    lamp, repeat = town["made"]["west"][0], town["made"]["west"][1]
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "valo", f"/map/?base=none&theme=lighting&district={town['west'].pk}")

    page.click(f"path.obs-point[data-id='{lamp.pk}']")
    page.wait_for_selector(f"#detail[data-id='{lamp.pk}']:not([hidden])")
    assert page.locator("#detail-history").inner_text() == "No changes yet."
    page.get_by_label("New status").select_option("confirmed")
    page.get_by_label("Note", exact=True).fill("Lamppu tarkistettu paikan päällä")
    settle(page, lambda: page.get_by_role("button", name="Save change").click())

    page.wait_for_selector("#detail[data-status='confirmed']")
    history = page.locator("#detail-history").inner_text()
    assert "New → Confirmed" in history
    assert "Lamppu tarkistettu paikan päällä" in history
    assert "by valo" in history
    feature = api(page, f"/api/v1/observations/{lamp.pk}/")
    assert feature["properties"]["status"] == "confirmed"
    changes = api(page, f"/api/v1/observations/{lamp.pk}/history/")
    assert [(c["to_status"], c["note"], c["changed_by"]) for c in changes] == [
        ("confirmed", "Lamppu tarkistettu paikan päällä", "valo")
    ]
    assert "Confirmed" in page.locator(f".obs-item[data-id='{lamp.pk}']").inner_text()
    screenshot(page, "map-triage-confirmed")

    # The second lamp repeats the first: mark it, then pick the original on the map.
    page.click(f"path.obs-point[data-id='{repeat.pk}']")
    page.wait_for_selector(f"#detail[data-id='{repeat.pk}']:not([hidden])")
    page.get_by_role("button", name="Mark as duplicate…").click()
    assert "Pick the original" in page.locator("#map-hint").inner_text()
    settle(page, lambda: page.click(f"path.obs-point[data-id='{lamp.pk}']"))

    page.wait_for_selector(f"#detail[data-id='{repeat.pk}'][data-status='duplicate']")
    assert f"Duplicate of #{lamp.pk}" in page.locator("#detail-fields").inner_text()
    assert f"Duplicate of #{lamp.pk}." in page.locator("#detail-history").inner_text()
    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of_id) == ("duplicate", lamp.pk)
    assert StatusChange.objects.filter(observation=repeat, to_status="duplicate").count() == 1
    screenshot(page, "map-triage-duplicate")


def test_it_draws_the_heat_map_and_the_choropleth_for_a_planner(page_in, live_server, town):
    make_user("suunnittelija", PLANNERS_GROUP)
    page = page_in("en", viewport={"width": 1920, "height": 1080})
    sign_in(page, live_server, "suunnittelija")

    with page.expect_response(lambda r: "/api/v1/heatmap/" in r.url) as answer:
        settle(page, lambda: page.get_by_label("Heat map (severity-weighted density)").check())
    cells = json.loads(answer.value.body())["features"]
    drawn = page.eval_on_selector_all(
        "path.heat-cell",
        "paths => paths.map(p => [p.dataset.cell, +p.dataset.density, +p.dataset.count])",
    )
    assert sorted(drawn) == sorted(
        [c["id"], c["properties"]["density"], c["properties"]["count"]] for c in cells
    )
    # Staff roles see every cell: the cells hold every observation in view.
    assert sum(count for _cell, _density, count in drawn) == Observation.objects.count() == 8
    assert "heat" in parse_qs(urlsplit(page.url).query)["layers"][0]

    settle(page, lambda: page.get_by_label("Colour districts by").select_option("count"))
    picture = api(page, "/api/v1/municipalities/285/picture/")
    from_api = {row["district"]["id"]: row["total"]["observations"] for row in picture["districts"]}
    polygons = page.eval_on_selector_all(
        "path.district", "paths => paths.map(p => [Number(p.dataset.district), p.dataset.value])"
    )
    assert sorted(map(tuple, polygons)) == sorted((d, str(v)) for d, v in from_api.items())
    assert from_api == {town["west"].pk: 6, town["east"].pk: 2}
    table = page.locator("#district-figures-body").inner_text()
    assert "Länsi\t6" in table and "Itä\t2" in table

    settle(page, lambda: page.get_by_label("Colour districts by").select_option("rate"))
    rates = dict(
        page.eval_on_selector_all(
            "path.district",
            "paths => paths.map(p => [Number(p.dataset.district), Number(p.dataset.value)])",
        )
    )
    # Six problems of severity 3 among West's 4,000 residents: 18 / 4000 × 1000 = 4.5.
    assert rates == {town["west"].pk: 4.5, town["east"].pk: 1.0}
    assert page.get_by_role("button", name="Create action").count() == 2
    screenshot(page, "map-planner-heat-choropleth-1920")


def test_it_restores_a_shared_filtered_view_on_reload_and_back(page_in, live_server, town):
    make_user("suunnittelija", PLANNERS_GROUP)
    page = page_in("en", viewport=DESK)
    west = town["west"].pk
    shared = (
        f"/map/?municipality=285&district={west}&theme=lighting&status=new"
        "&layers=districts&base=none&at=13/60.46000/26.92000"
    )
    sign_in(page, live_server, "suunnittelija", shared)

    def view():
        return {
            "theme": page.get_by_label("Theme").input_value(),
            "district": page.get_by_label("District", exact=True).input_value(),
            "new": page.get_by_label("New", exact=True).is_checked(),
            "districts": page.get_by_label("District boundaries").is_checked(),
            "at": parse_qs(urlsplit(page.url).query)["at"][0],
            "counts": counts(page)[:2],
        }

    first = view()
    assert first == {
        "theme": "lighting",
        "district": str(west),
        "new": True,
        "districts": True,
        "at": "13/60.46000/26.92000",
        "counts": (4, 4),
    }
    page.reload()
    wait_ready(page)
    assert view() == first

    settle(page, lambda: page.get_by_label("Theme").select_option("road_condition"))
    assert counts(page)[:2] == (2, 2)
    settle(page, lambda: page.go_back())
    assert view() == first
    screenshot(page, "map-restored")


def test_it_sends_the_anonymous_to_sign_in_and_refuses_users_without_a_role(
    page_in, browser, live_server, town
):
    page = page_in("en", viewport=DESK)
    page.goto(live_server.url + "/map/")
    assert urlsplit(page.url).path == "/login/"
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/map/"]

    # A 403 page is logged by Chromium as a failed load: this part runs outside page_in,
    # whose console check would count it as an error.
    make_user("asukas")
    context = browser.new_context(locale="en", viewport=DESK)
    try:
        refused = context.new_page()
        refused.goto(live_server.url + "/login/?next=/map/")
        refused.get_by_label("Username").fill("asukas")
        refused.get_by_label("Password").fill(PASSWORD)
        with refused.expect_response(lambda r: urlsplit(r.url).path == "/map/") as answer:
            refused.get_by_role("button", name="Sign in").click()
        assert answer.value.status == 403
        assert refused.locator("h1").inner_text() == "No access to the map workspace"
        screenshot(refused, "map-refused")
    finally:
        context.close()


def test_it_rejects_a_wrong_password_with_a_clear_message(page_in, live_server, town):
    make_user("valo", STAFF_GROUP)
    page = page_in("fi", viewport=DESK)
    page.goto(live_server.url + "/login/?next=/map/")
    page.locator("#id_username").fill("valo")
    page.locator("#id_password").fill("wrong")
    page.locator("form.sign-in-form button").click()
    assert page.locator("#login-error").is_visible()
    assert page.locator("#id_password").get_attribute("aria-invalid") == "true"


def test_it_turns_a_hotspot_and_a_district_into_actions_of_a_plan(page_in, live_server, town):
    from plans.models import Action, SafetyPlan

    plan = SafetyPlan.objects.create(
        municipality=town["municipality"],
        title_fi="Turvallisuussuunnitelma 2025–2028",
        period_start="2025-06-01",
        period_end="2029-05-31",
    )
    make_user("suunnittelija", PLANNERS_GROUP)
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "suunnittelija", "/map/?base=none&theme=lighting&layers=heat")

    cell = page.locator("path.heat-cell").first
    cell_id = cell.get_attribute("data-cell")
    cell.click(force=True)
    page.locator(".leaflet-popup").get_by_role("button", name="Create action").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").fill("Korjataan valaistus")
    page.wait_for_selector("#action-plan option", state="attached")
    assert dialog.get_by_label("Plan").input_value() == str(plan.pk)
    dialog.get_by_role("button", name="Create action").click()
    link = dialog.get_by_role("link", name="Open the plan")
    link.wait_for()
    assert f"/plan/285/?plan={plan.pk}" in link.get_attribute("href")
    action = Action.objects.get(title_en="Korjataan valaistus")
    assert action.plan == plan
    assert action.geom is not None and action.district is None
    assert action.source_filters["theme"] == "lighting"
    # The cell's observations (lighting ones inside it) are linked to the action.
    assert action.observations.count() == int(
        page.get_attribute(f"path.heat-cell[data-cell='{cell_id}']", "data-count")
    )
    screenshot(page, "map-action-from-cell")
    dialog.get_by_role("button", name="Close").click()

    settle(page, lambda: page.get_by_label("Colour districts by").select_option("count"))
    row = page.locator(f"#district-figures-body tr[data-district='{town['west'].pk}']")
    row.get_by_role("button", name="Create action").click()
    dialog.get_by_label("Title").fill("Länsi: valaistuskävely")
    page.wait_for_selector("#action-plan option", state="attached")
    dialog.get_by_role("button", name="Create action").click()
    dialog.get_by_role("link", name="Open the plan").wait_for()
    assert Action.objects.get(title_en="Länsi: valaistuskävely").district == town["west"]

    # The plan (a draft, which its planner may open) now lists both actions.
    dialog.get_by_role("link", name="Open the plan").click()
    page.wait_for_url(f"**/plan/285/?plan={plan.pk}")
    actions = page.locator("#actions-heading").locator("xpath=..")
    for title in ("Korjataan valaistus", "Länsi: valaistuskävely"):
        assert actions.get_by_text(title).count() >= 1, title
    screenshot(page, "plan-with-actions-from-the-map")


def test_it_works_from_the_keyboard_alone(page_in, live_server, town):
    make_user("valaistus", STAFF_GROUP, units=["street_lighting"])
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "valaistus", "/map/?base=none&theme=lighting")
    first = page.locator(".obs-item").first
    # Tab reaches the list from the top of the page; no mouse anywhere.
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('obs-item')"):
            break
    else:
        pytest.fail("Tab never reached the list")
    focused = page.evaluate("document.activeElement.dataset.id")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused list item shows no focus"
    page.keyboard.press("Enter")
    page.locator("#detail").wait_for()
    assert page.locator("#detail-heading").inner_text().startswith(f"#{focused}")
    # The status change goes through the form from the keyboard too.
    page.locator("#t-status").focus()
    page.keyboard.press("ArrowDown")
    page.locator("#t-note").focus()
    page.keyboard.type("Checked from the keyboard")
    page.keyboard.press("Tab")  # to "Save change"
    page.keyboard.press("Enter")
    page.locator("#detail-history li", has_text="Checked from the keyboard").wait_for()
    assert StatusChange.objects.filter(note="Checked from the keyboard").count() == 1
    assert first.is_visible()


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_it_speaks_finnish_and_swedish(page_in, live_server, town, language):
    from tests.frontend.test_logger import visible_lines

    make_user("suunnittelija", PLANNERS_GROUP)
    english = page_in("en", viewport=DESK)
    sign_in(english, live_server, "suunnittelija", "/map/?base=none&layers=heat,districts")
    page = page_in(language, viewport=DESK)
    page.goto(live_server.url + "/login/?next=/map/%3Fbase%3Dnone%26layers%3Dheat%2Cdistricts")
    login = {"fi": ("Käyttäjätunnus", "Salasana"), "sv": ("Användarnamn", "Lösenord")}
    page.get_by_label(login[language][0]).fill("suunnittelija")
    page.get_by_label(login[language][1]).fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/map/**")
    wait_ready(page)
    untranslated = visible_lines(page) & visible_lines(english)
    # Names that are the same in every language, numbers, and the observations' own text.
    # "Status" is Swedish too.
    untranslated -= {"Lyhty", "Suomi", "Svenska", "English", "Länsi", "Itä", "Status"}
    untranslated = {
        line
        for line in untranslated
        if sum(map(str.isalpha, line)) > 1 and not line.startswith("#")
    }
    assert not untranslated
    screenshot(page, f"map-{language}")


def test_it_draws_walks_with_links_to_their_protocol_and_poster(page_in, live_server, town):
    from tests.api.conftest import make_walk

    walk = make_walk(town["municipality"], title="Iltakävely Länsi")
    make_user("suunnittelija", PLANNERS_GROUP)
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "suunnittelija", "/map/?base=none&layers=walks")
    route = page.locator(f"path.walk-route[data-walk='{walk.pk}']")
    # Dispatched on the line itself: the map's points may lie on top of it.
    route.dispatch_event("click")
    popup = page.locator(".leaflet-popup")
    popup.get_by_text("Iltakävely Länsi").wait_for()
    poster = popup.get_by_role("link", name="QR poster")
    assert poster.get_attribute("href") == f"/walk/join/{walk.join_code}/poster/"
    popup.get_by_role("link", name="Walk protocol").click()
    page.wait_for_url(f"**/walks/{walk.pk}/protocol/")
    assert "Iltakävely Länsi" in page.locator("h1").inner_text()
