# SPDX-License-Identifier: EUPL-1.2
"""Hostile names never run as script: every name a user or an imported file can set is
markup, a template-literal escape and a `javascript:` link at once, as long as its column
holds (up to 10,000 characters), with a right-to-left override in the middle; every page
is loaded in Chromium by every role, its tooltips hovered and its popups opened, with a
`dialog` listener and a listener for Content-Security-Policy reports (each document gets a
report-only policy forbidding inline event handlers, so an injected `onerror=` reports
itself even if it never calls alert). No dialog opens, no policy report comes, and the
page logs no script error (page_in).

Checked once that the test catches a regression: with the map's point tooltip reverted to
raw HTML (`marker.bindTooltip(titleOf(f.properties))` in the map workspace's layer
module), test_no_hostile_name_runs_as_script_for_staff[staff] failed with "map tooltips:
dialogs ['11', '11', '11'], CSP ['script-src-attr: …/static/leaflet/leaflet.js', …]"
(11 is the category's tag: one alert per hovered point). With the protocol's folium
tooltip given the raw name (`tooltip=label` in plans/maps.route_map), the public test
failed too: the name's backtick ended folium's template literal, the map's script died
("Unexpected end of input") and no finding was drawn.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import LineString, MultiLineString, Point
from django.utils import timezone

from plans.models import Action, CitizenPromise, Priority, SafetyPlan
from tests.frontend.test_admin import MODEL_LISTS
from tests.frontend.test_logger import CODE, join, phone, submit_join
from tests.frontend.test_map import DESK, make_user, sign_in, wait_ready
from tests.plans.conftest import make_plan
from walks.models import (
    Category,
    Observation,
    ResponsibleUnit,
    SafetyWalk,
    Theme,
    Visibility,
    WalkState,
)
from walks.roles import PLANNERS_GROUP, STAFF_GROUP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONGEST = 10_000
# Each field's tag: the number its alerts show, so a failure names the leaking field.
TAGS = {
    "municipality": 10,
    "category": 11,
    "theme": 12,
    "district": 13,
    "unit": 14,
    "walk": 15,
    "plan": 16,
    "priority": 17,
    "action": 18,
    "promise": 19,
    "owner": 20,
    "summary": 21,
}
REPORT_ONLY_POLICY = "script-src-attr 'none'"
LISTEN_FOR_REPORTS = """
window.__cspReports = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspReports.push(`${event.violatedDirective}: ${event.sample || event.sourceFile}`);
});
"""


def hostile(tag: int, length: int) -> str:
    """Markup, a template-literal escape, an RTL override and a `javascript:` link, padded
    to `length` (the column's size, at most LONGEST)."""
    name = (
        f'<img src=x onerror=alert({tag})>"><script>alert({tag})</script>'
        f"`${{alert({tag})}}`\u202ejavascript:alert({tag})"
    )
    return (name + "ä" * LONGEST)[: min(length, LONGEST)]


def named(model, field: str, tag: int) -> str:
    length = model._meta.get_field(field).max_length or LONGEST
    return hostile(tag, length)


def rename(queryset, tag: int, *fields):
    queryset.update(**{field: named(queryset.model, field, tag) for field in fields})


@pytest.fixture
def hostile_town(municipality):
    """Testilä with every name hostile: a walk with a route, a track and findings, and a
    published plan with priorities, actions and a promise."""
    now = timezone.now()
    walk = SafetyWalk.objects.create(
        municipality=municipality,
        title="walk",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        group="residents",
        state=WalkState.WALKING,
        join_code=CODE,
        route=LineString((26.915, 60.458), (26.955, 60.462), srid=4326),
        track=MultiLineString(LineString((26.916, 60.459), (26.95, 60.46), srid=4326)),
    )
    for n, (code, lon) in enumerate([("lamp_out", 26.92), ("pothole", 26.95), ("lamp_out", 26.93)]):
        Observation.objects.create(
            municipality=municipality,
            walk=walk,
            category=Category.objects.get(code=code),
            geom=Point(lon, 60.46 + n * 0.002, srid=4326),
            severity=3,
            visibility=Visibility.INTERNAL if n == 2 else Visibility.PUBLIC,
        )
    plan = make_plan(municipality)
    plan.actions.first().walks.add(walk)
    for model, tag in [(Category, "category"), (Theme, "theme"), (ResponsibleUnit, "unit")]:
        rename(model.objects.all(), TAGS[tag], "name_fi", "name_sv", "name_en")
    rename(municipality.districts.all(), TAGS["district"], "name", "name_sv")
    rename(type(municipality).objects.all(), TAGS["municipality"], "name_fi", "name_sv", "name_en")
    rename(SafetyWalk.objects.all(), TAGS["walk"], "title", "follow_up_notes")
    rename(SafetyPlan.objects.all(), TAGS["plan"], "title_fi", "title_sv", "title_en")
    rename(SafetyPlan.objects.all(), TAGS["summary"], "summary_fi", "summary_sv", "summary_en")
    rename(Priority.objects.all(), TAGS["priority"], "reason_fi", "reason_sv", "reason_en")
    texts = [
        f"{name}_{code}"
        for name in ("title", "description", "indicator")
        for code in ["fi", "sv", "en"]
    ]
    rename(Action.objects.all(), TAGS["action"], *texts)
    rename(Action.objects.all(), TAGS["owner"], "owner_name", "responsible_person")
    promise_texts = [f"{name}_{code}" for name in ("title", "text") for code in ["fi", "sv", "en"]]
    rename(CitizenPromise.objects.all(), TAGS["promise"], *promise_texts, "police")
    plan.publish()  # the renamed texts are what the public reads
    return {"walk": walk, "plan": plan}


def guarded(page_in, language, **options):
    """A page whose documents carry the report-only policy; dialogs are recorded."""
    page = page_in(language, **options)
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    def with_policy(route):
        if route.request.resource_type != "document":
            return route.fallback()
        response = route.fetch(max_redirects=0)  # the browser follows redirects itself
        headers = {**response.headers, "content-security-policy-report-only": REPORT_ONLY_POLICY}
        return route.fulfill(response=response, headers=headers)

    page.on("dialog", on_dialog)
    page.route("**/*", with_policy)
    page.add_init_script(LISTEN_FOR_REPORTS)
    return page


def assert_no_script_ran(page, where):
    page.wait_for_timeout(200)  # an onerror of a broken image fires after it fails
    reports = page.evaluate("window.__cspReports")
    assert (page.dialogs, reports) == ([], []), f"{where}: dialogs {page.dialogs}, CSP {reports}"


def hover_all(page, selector):
    """Open every tooltip under `selector` (Leaflet builds a tooltip when it opens)."""
    shapes = page.locator(selector)
    for n in range(shapes.count()):
        shapes.nth(n).hover(force=True)
    return shapes.count()


def visit_public_pages(page, live_server, town):
    page.goto(f"{live_server.url}/")
    assert_no_script_ran(page, "landing")

    page.goto(f"{live_server.url}/plan/285/")
    assert hover_all(page, "#map_districts path.leaflet-interactive") >= 2
    assert_no_script_ran(page, "plan")
    assert "<img src=x" in page.locator("h1").inner_text()  # shown as text

    page.goto(f"{live_server.url}/walks/{town['walk'].pk}/protocol/")
    assert hover_all(page, "#map_route path.leaflet-interactive") >= 2
    assert_no_script_ran(page, "protocol")

    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_text("/api/v1/observations/").first.wait_for()
    assert_no_script_ran(page, "API docs")


def visit_map(page, live_server):
    page.goto(f"{live_server.url}/map/?base=none&layers=districts,heat,walks&choropleth=count")
    wait_ready(page)
    assert hover_all(page, "path.obs-point") == Observation.objects.count()
    assert_no_script_ran(page, "map tooltips")
    for selector in ["path.district", "path.walk-route", "path.walk-track", "path.heat-cell"]:
        shapes = page.locator(selector)
        for n in range(shapes.count()):
            # Dispatched on the shape itself: points may lie on top of it.
            shapes.nth(n).dispatch_event("click")
            page.locator(".leaflet-popup-content").wait_for()
            assert_no_script_ran(page, f"map popup {selector}")
            # Closed here, unless the map's refresh after the popup's pan closed it already.
            page.evaluate("document.querySelector('.leaflet-popup-close-button')?.click()")
            page.locator(".leaflet-popup").wait_for(state="detached")
    # A selected observation's details, and the list beside the map, with their names.
    first = Observation.objects.order_by("pk").first().pk
    page.goto(f"{live_server.url}/map/?base=none&selected={first}")
    wait_ready(page)
    page.locator(f"#detail[data-id='{first}']:not([hidden])").wait_for()
    assert page.locator(".obs-item").count() == Observation.objects.count()
    assert_no_script_ran(page, "map detail and list")


def test_no_hostile_name_runs_as_script_for_the_public_and_a_participant(
    page_in, live_server, hostile_town
):
    page = guarded(page_in, "sv", **phone())
    visit_public_pages(page, live_server, hostile_town)

    join(page, live_server)
    submit_join(page)
    page.locator("[data-theme=lighting]").tap()
    page.locator("[data-category=lamp_out]").tap()
    page.locator("#saved-message").wait_for()
    assert_no_script_ran(page, "logger")


@pytest.mark.parametrize("role", ["staff", "planner", "admin"])
def test_no_hostile_name_runs_as_script_for_staff(page_in, live_server, hostile_town, role):
    group = {"staff": STAFF_GROUP, "planner": PLANNERS_GROUP}.get(role)
    user = make_user(role, group, units=["street_lighting"] if role == "staff" else ())
    if role == "admin":
        user.is_staff = user.is_superuser = True
        user.save()
    Group.objects.get_or_create(name=STAFF_GROUP)
    page = guarded(page_in, "en", viewport=DESK)
    sign_in(page, live_server, role)
    assert_no_script_ran(page, "map")
    visit_map(page, live_server)
    visit_public_pages(page, live_server, hostile_town)
    if role == "admin":
        for path in MODEL_LISTS:
            page.goto(f"{live_server.url}/admin/{path}/")
            page.locator("#result_list, #changelist").first.wait_for()
            assert_no_script_ran(page, f"admin {path}")
