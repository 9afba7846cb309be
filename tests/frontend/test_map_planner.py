# SPDX-License-Identifier: EUPL-1.2
"""The planner's side of the map workspace, in Chromium: the district figures for the plan's
period (the same as the plan page's), the heat map above the points with its top hotspots,
an action for exactly the cell clicked, and one action however often it is clicked."""

import datetime
import math
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from pyproj import Transformer

from plans.models import Action, SafetyPlan
from tests.api.conftest import member
from tests.frontend.conftest import screenshot
from tests.frontend.test_map import DESK, make_user, settle, sign_in
from walks.models import Category, Observation
from walks.roles import PLANNERS_GROUP, STAFF_GROUP, Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def observe(municipality, lon, lat, category="lamp_out", days_ago=0):
    return Observation.objects.create(
        municipality=municipality,
        category=Category.objects.get(code=category),
        geom=Point(lon, lat, srid=4326),
        severity=3,
        observed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def district_values(page):
    return {
        int(row[0]): row[1]
        for row in page.eval_on_selector_all(
            "#district-figures-body tr",
            "rows => rows.map(r => [r.dataset.district, r.cells[1].dataset.value])",
        )
    }


def plan_page_rows(page):
    """The plan page's district picture: name → (problems, positive, rate) as shown."""
    rows = page.eval_on_selector_all(
        "table.picture tbody tr",
        "rows => rows.map(r => [r.cells[0].textContent.trim(),"
        " ...[...r.cells].slice(1, 4).map(c => c.textContent.trim())])",
    )
    return {name: tuple(cells) for name, *cells in rows}


def test_it_shows_the_district_figures_of_the_plan_page_for_the_plans_period(
    page_in, live_server, municipality
):
    today = timezone.localdate()
    plan = SafetyPlan.objects.create(
        municipality=municipality,
        title_fi="Turvallisuussuunnitelma 2026–2029",
        period_start=today - datetime.timedelta(days=60),
        period_end=today + datetime.timedelta(days=1000),
    )
    plan.publish()
    # In the plan's period: 4 in West, 3 in East. Before it, but within the last 12 months
    # (the old hidden window): 3 more in each.
    for n in range(4):
        observe(municipality, 26.91 + n * 0.005, 60.45, days_ago=10)
    for n in range(3):
        observe(municipality, 26.95 + n * 0.005, 60.45, days_ago=10)
        observe(municipality, 26.91 + n * 0.005, 60.47, days_ago=200)
        observe(municipality, 26.95 + n * 0.005, 60.47, days_ago=200)
    west, east = municipality.districts.order_by("code")
    make_user("valo", STAFF_GROUP)
    page = page_in("en", viewport=DESK)
    sign_in(page, live_server, "valo", "/map/?base=none&choropleth=count")

    # The period is on the page, and it is the plan's: its start to today.
    assert page.get_by_label("From", exact=True).input_value() == plan.period_start.isoformat()
    assert page.get_by_label("To (included)").input_value() == today.isoformat()
    assert "Turvallisuussuunnitelma 2026–2029" in page.locator("#period-source").inner_text()
    counts = district_values(page)
    assert counts == {west.pk: "4", east.pk: "3"}
    settle(page, lambda: page.get_by_label("Colour districts by").select_option("rate"))
    rates = district_values(page)
    screenshot(page, "map-figures-plan-period")

    page.goto(live_server.url + "/plan/285/")
    shown = plan_page_rows(page)
    # The plan page is public: it hides a district whose figures could identify someone, or
    # give away a hidden one (analysis.picture); every row it shows matches, and so does
    # its whole-municipality row, the sum of the workspace's districts.
    names = {west.pk: "Länsi", east.pk: "Itä"}
    compared = 0
    for district, name in names.items():
        if shown[name] == ("hidden",):
            continue
        problems, positive, rate = shown[name]
        assert int(problems) + int(positive) == int(counts[district])
        assert rate == f"{float(rates[district]):.1f}"
        compared += 1
    assert compared >= 1
    # 4 problems of severity 3 among West's 4,000 residents: 12 / 4000 × 1000 = 3.0.
    assert shown["Länsi"] == ("4", "0", "3.0")
    problems, positive, _rate = shown["Whole municipality"]
    assert int(problems) + int(positive) == sum(int(v) for v in counts.values()) == 7

    # Another period is chosen on the page, kept in the URL, and undone with one button.
    page.go_back()
    page.wait_for_selector("#workspace[data-ready='true']")
    settle(page, lambda: page.get_by_label("Colour districts by").select_option("count"))
    year_ago = (today - datetime.timedelta(days=300)).isoformat()
    page.get_by_label("From", exact=True).fill(year_ago)
    settle(page, lambda: page.get_by_label("From", exact=True).press("Enter"))
    assert district_values(page) == {west.pk: "7", east.pk: "6"}
    assert parse_qs(urlsplit(page.url).query)["period"][0].startswith(year_ago)
    settle(page, lambda: page.get_by_role("button", name="Back to the default period").click())
    assert district_values(page) == {west.pk: "4", east.pk: "3"}


# The heat map's grid at zoom 15 here (analysis.heatmap.cell_for_zoom): 50 m cells of
# EPSG:3067, cell (i, j) covering x ∈ [50i, 50i + 50), y ∈ [50j, 50j + 50).
CELL = 50
TO_GRID = Transformer.from_crs(4326, 3067, always_xy=True)
FROM_GRID = Transformer.from_crs(3067, 4326, always_xy=True)


def at_grid(municipality, x, y):
    lon, lat = FROM_GRID.transform(x, y)
    return observe(municipality, lon, lat)


@pytest.fixture
def hotspot_beside_a_small_cell(municipality):
    """12 observations near the east edge of one cell, 3 near the west edge of its eastern
    neighbour: at zoom 15 their markers overlap across the shared edge."""
    x, y = TO_GRID.transform(26.92, 60.46)
    i, j = math.floor(x / CELL), math.floor(y / CELL)
    big = [
        at_grid(municipality, i * CELL + 40 + dx, j * CELL + 25 + dy)
        for dx in (-3, 0, 3)
        for dy in (-4.5, -1.5, 1.5, 4.5)
    ]
    for n in range(3):
        at_grid(municipality, (i + 1) * CELL + 5, j * CELL + 22 + 3 * n)
    return {
        "big": f"{i}:{j}",
        "small": f"{i + 1}:{j}",
        "big_ids": {o.pk for o in big},
    }


def test_it_makes_one_action_for_exactly_the_cell_clicked(
    page_in, live_server, municipality, hotspot_beside_a_small_cell
):
    spots = hotspot_beside_a_small_cell
    plan = SafetyPlan.objects.create(
        municipality=municipality,
        title_fi="Suunnitelma",
        period_start="2025-06-01",
        period_end="2029-05-31",
    )
    make_user("suunnittelija", PLANNERS_GROUP)
    page = page_in("en", viewport=DESK)
    sign_in(
        page, live_server, "suunnittelija", "/map/?base=none&layers=heat&at=15/60.46000/26.92000"
    )

    big = page.locator(f"path.heat-cell[data-cell='{spots['big']}']")
    small = page.locator(f"path.heat-cell[data-cell='{spots['small']}']")
    assert (big.get_attribute("data-count"), small.get_attribute("data-count")) == ("12", "3")
    assert page.locator("path.obs-point").count() == 15  # the points are drawn, under the cells
    # The top hotspots: the big cell first.
    hotspots = page.locator("#hotspot-list button")
    assert hotspots.first.get_attribute("data-cell") == spots["big"]
    assert hotspots.first.inner_text().startswith("12 observations")

    # A plain click (no force): the cell, above the points, receives it.
    big.click()
    popup = page.locator(".leaflet-popup")
    assert popup.inner_text().startswith("12 observations")
    popup.get_by_role("button", name="Create action").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").fill("Valoa kulmaan")
    page.wait_for_selector("#action-plan option", state="attached")
    posts = []
    page.on(
        "request", lambda r: r.method == "POST" and "/api/v1/actions/" in r.url and posts.append(r)
    )
    dialog.get_by_role("button", name="Create action").dblclick()
    dialog.get_by_role("link", name="Open the plan").wait_for()
    page.wait_for_timeout(500)  # a second request, were there one, would have gone by now

    action = Action.objects.get()
    assert action.plan == plan and action.title == "Valoa kulmaan"
    assert set(action.observations.values_list("pk", flat=True)) == spots["big_ids"]
    assert len(posts) == 1
    assert dialog.get_by_role("button", name="Create action").is_disabled()
    screenshot(page, "map-action-from-the-cell-clicked")
    dialog.get_by_role("button", name="Close").click()

    # Points off: only the heat map; a hotspot in the list zooms to its cell.
    settle(page, lambda: page.get_by_label("Observations as points").uncheck())
    assert page.locator("path.obs-point").count() == 0
    assert page.locator("path.heat-cell").count() == 2
    assert parse_qs(urlsplit(page.url).query)["points"] == ["off"]
    settle(page, lambda: page.locator("#hotspot-list button").first.click())
    zoom = int(parse_qs(urlsplit(page.url).query)["at"][0].split("/")[0])
    assert zoom == 16
    assert page.locator("#hotspot-list button").first.inner_text().startswith("12 observations")


def test_a_planner_elsewhere_gets_no_planner_tools_where_they_are_staff(
    page_in, live_server, municipality, other_town, hotspot_beside_a_small_cell
):
    """Staff in this town and planner in another: the map of this town offers no action."""
    spots = hotspot_beside_a_small_cell
    SafetyPlan.objects.create(
        municipality=municipality,
        title_fi="Suunnitelma",
        period_start="2025-06-01",
        period_end="2029-05-31",
    )
    user = make_user("kahdessa", STAFF_GROUP)
    member(user, other_town, Role.PLANNER)
    page = page_in("en", viewport=DESK)
    sign_in(
        page,
        live_server,
        "kahdessa",
        "/map/?base=none&layers=heat&municipality=285&at=15/60.46000/26.92000",
    )

    page.locator(f"path.heat-cell[data-cell='{spots['big']}']").click()
    popup = page.locator(".leaflet-popup")
    assert popup.inner_text().startswith("12 observations")
    assert popup.get_by_role("button", name="Create action").count() == 0
