# SPDX-License-Identifier: EUPL-1.2
"""The district picture, checked against an independent computation.

The reference reads only what the API hands out: the observations from the GeoJSON
export, the districts (boundaries and populations), categories and each resolved
observation's history. It puts each point in its district with shapely (not with the
database trigger) and computes every figure in plain Python.

The export runs ogr2ogr in its own connection, which sees committed rows only, so the town
is committed once for the module and removed at its end (as in test_exports.py).
"""

import datetime
import json
import statistics
from collections import defaultdict
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils import translation
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from analysis.picture import (
    FIGURES,
    K_ANONYMITY,
    MISSING_SEVERITY_WEIGHT,
    Period,
    municipality_picture,
)
from tests.analysis.test_picture import assert_no_hidden_count_can_be_worked_out
from tests.api.conftest import user_client
from tests.conftest import make_town
from walks.models import Category, Observation, Status, StatusChange
from walks.roles import PLANNERS_GROUP, STAFF_GROUP

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 7, 1)
PREVIOUS_START = START - (END - START)
QUERY = {"start": START.isoformat(), "end": END.isoformat()}
LOCAL = ZoneInfo(settings.TIME_ZONE)
CATEGORIES = ["lamp_out", "pothole", "graffiti", "safe_place", "disturbance", "dark_spot"]
STATUSES = ["new", "confirmed", "resolved", "in_progress", "resolved", "assigned", "resolved"]


def lonlat(i):
    """West, East, or (every eleventh) the strip in the north that no district covers."""
    if i % 11 == 5:
        return 26.905 + (i % 7) * 0.01, 60.475
    west = i % 3 != 0
    return (26.903 if west else 26.943) + (i % 9) * 0.004, 60.443 + (i % 6) * 0.004


def observed(i):
    """Most in the period, every fourth in the previous one; a few on the local-day edges."""
    edges = {
        1: datetime.datetime(2024, 12, 31, 22, 30, tzinfo=UTC),  # 1 January 00:30 local: in
        2: datetime.datetime(2025, 6, 30, 21, 30, tzinfo=UTC),  # 1 July 00:30 local: after
        6: datetime.datetime(2024, 12, 31, 21, 30, tzinfo=UTC),  # 31 December 23:30: before
    }
    if i in edges:
        return edges[i]
    first = PREVIOUS_START if i % 4 == 3 else START
    return datetime.datetime(first.year, first.month, first.day, 8, tzinfo=UTC) + timedelta(
        days=2 * i + 1, hours=i % 5
    )


def build_town():
    town = make_town(districts_north=60.47)
    categories = {code: Category.objects.get(code=code) for code in CATEGORIES}
    first = None
    for i in range(62):
        status = STATUSES[i % len(STATUSES)]
        if i % 13 == 4:
            status = "duplicate"
        if i % 17 == 8:
            status = "rejected"
        at = observed(i)
        observation = Observation.objects.create(
            municipality=town,
            geom=Point(*lonlat(i), srid=4326),
            category=categories[CATEGORIES[i % len(CATEGORIES)]],
            severity=None if i % 7 == 0 else i % 5 + 1,
            # A positive lamp: a well-lit place, in a problem category.
            is_positive=i % 10 == 0,
            status=status,
            # 38, outside every district: without it the public's outside total is small,
            # so a district's total is hidden with it (the totals add up to the whole).
            visibility="internal" if i % 8 == 1 or i == 38 else "public",
            observed_at=at,
            duplicate_of=first if status == "duplicate" else None,
        )
        first = first or observation
        if status != "resolved" or i == 16:  # 16: imported as resolved, no history
            continue
        # Whole multiples of six hours, so the days are exact in binary.
        days = timedelta(hours=6 * (i % 9 + 2))
        steps = [
            ("new", "confirmed", at + timedelta(hours=6)),
            ("confirmed", "resolved", at + days),
        ]
        if i % 3 == 0:  # reopened and resolved again: the last change counts
            steps += [
                ("resolved", "confirmed", at + days + timedelta(days=1)),
                ("confirmed", "resolved", at + days + timedelta(days=4)),
            ]
        for old, new, moment in steps:
            StatusChange.objects.create(
                observation=observation, from_status=old, to_status=new, changed_at=moment
            )
    return town


def remove_town(town):
    Observation.objects.filter(municipality=town).delete()
    town.delete()


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "not the test database"
        town = build_town()
        try:
            yield town
        finally:
            remove_town(town)


@pytest.fixture
def planner(town):
    """A planner of the town (members of the module's town, not of tests.conftest's)."""
    return user_client("suunnittelija", group=PLANNERS_GROUP, municipality=town)


@pytest.fixture
def lighting_staff(town):
    return user_client("valo", group=STAFF_GROUP, units=["street_lighting"], municipality=town)


def get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def features(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, getattr(response, "data", response)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)["features"]


def moment(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("/", "-"))


def local_start(day):
    return datetime.datetime(day.year, day.month, day.day, tzinfo=LOCAL)


def reference(planner, *, public):
    """Every cell's figures, from the API's own outputs, in plain Python and shapely."""
    with translation.override("en"):
        status_of = {str(label): value for value, label in Status.choices}
    observations = features(
        planner, "/api/v1/exports/observations.geojson", lang="en", municipality="285"
    )
    categories = {c["code"]: c for c in get(planner, "/api/v1/categories/")}
    districts = [
        (d["properties"]["id"], d["properties"]["population"], shape(d["geometry"]))
        for d in features(planner, "/api/v1/districts/", municipality="285")
    ]
    cells = defaultdict(list)
    for row in observations:
        p = row["properties"]
        status = status_of[p["status"]]
        category = categories[p["category_code"]]
        if status in ("duplicate", "rejected"):
            continue
        if public and (p["visibility"] != "public" or category["is_sensitive"]):
            continue
        point = ShapelyPoint(row["geometry"]["coordinates"])
        inside = [pk for pk, _population, polygon in districts if polygon.covers(point)]
        assert len(inside) <= 1
        district = inside[0] if inside else None
        o = {
            "id": p["id"],
            "status": status,
            "severity": p["severity"],
            "positive": p["positive"] or category["is_positive"],
            "observed_at": moment(p["observed_at"]),
        }
        for area in (district, "all"):
            for theme in (category["theme"], None):
                cells[(area, theme)].append(o)

    start, end, previous_start = local_start(START), local_start(END), local_start(PREVIOUS_START)
    resolved_at = {}

    def days_to_resolve(o):
        if o["id"] not in resolved_at:
            history = get(planner, f"/api/v1/observations/{o['id']}/history/")
            changes = [moment(h["changed_at"]) for h in history if h["to_status"] == "resolved"]
            resolved_at[o["id"]] = max(changes) if changes else None
        if resolved_at[o["id"]] is None:
            return None
        return (resolved_at[o["id"]] - o["observed_at"]).total_seconds() / 86400

    def figures(rows, population):
        now = [o for o in rows if start <= o["observed_at"] < end]
        before = [o for o in rows if previous_start <= o["observed_at"] < start]
        problems = [o for o in now if not o["positive"]]
        resolved = [o for o in problems if o["status"] == "resolved"]
        days = [d for d in map(days_to_resolve, resolved) if d is not None and d >= 0]
        weighted = sum(
            MISSING_SEVERITY_WEIGHT if o["severity"] is None else o["severity"] for o in problems
        )
        previous = len([o for o in before if not o["positive"]])
        result = {
            "observations": len(now),
            "problems": len(problems),
            "positive": len(now) - len(problems),
            "open": len([o for o in problems if o["status"] not in ("resolved",)]),
            "resolved": len(resolved),
            "share_resolved": len(resolved) / len(problems) if problems else None,
            "severity_weighted": weighted,
            "rate_per_1000": weighted * 1000 / population if population else None,
            "median_days_to_resolve": statistics.median(days) if days else None,
            "previous_problems": previous,
            "change": len(problems) - previous,
            "change_percent": (len(problems) - previous) * 100 / previous if previous else None,
            "suppressed": False,
            "previous_suppressed": False,
        }
        return result, len(now), len(before)

    population = {pk: pop for pk, pop, _ in districts}
    population[None] = None
    population["all"] = sum(pop for pk, pop, _ in districts)
    # In the order the picture shows them: districts, outside, all; themes, total.
    themes = [t["code"] for t in get(planner, "/api/v1/themes/")]
    assert {c["theme"] for c in categories.values()} <= set(themes)
    result, now, before = {}, {}, {}
    for area in population:
        for theme in [*themes, None]:
            key = (area, theme)
            result[key], now[key], before[key] = figures(cells.get(key, []), population[area])
    if public:
        hidden, previous_hidden = reference_suppression(now, before, list(population), themes)
        for key in result:
            if key in hidden:
                result[key] = {**dict.fromkeys(FIGURES), "suppressed": True}
            if key in hidden or key in previous_hidden:
                for name in ("previous_problems", "change", "change_percent"):
                    result[key][name] = None
                result[key]["previous_suppressed"] = True
    return result


def reference_suppression(now, before, areas, themes):
    """The cells hidden now and in the previous period, by the rule of analysis.picture.

    areas: the districts in order, then None (outside), then "all"; themes in order. A cell
    under K_ANONYMITY is hidden. Then, through the rows (each area's themes, then its total)
    and then the columns (each theme's, then the totals' cells of the districts and outside,
    then that of "all"), over and over: where exactly one cell of the line is hidden, hide
    the first of the shown non-last cells with the fewest observations, or the last (the
    total) if none is shown. The previous period: its own hidden cells plus those hidden
    now, completed by the same rule.
    """
    lines = [[(area, theme) for theme in [*themes, None]] for area in areas]
    lines += [[(area, theme) for area in areas] for theme in [*themes, None]]

    def complete(counts, hidden):
        hidden = set(hidden)
        while True:
            before_pass = len(hidden)
            for line in lines:
                flags = [key in hidden for key in line]
                if flags.count(True) != 1:
                    continue
                candidates = [
                    (counts[key], position)
                    for position, key in enumerate(line[:-1])
                    if key not in hidden
                ]
                position = sorted(candidates)[0][1] if candidates else len(line) - 1
                hidden.add(line[position])
            if len(hidden) == before_pass:
                return hidden

    def small(counts):
        return {key for key, count in counts.items() if count < K_ANONYMITY}

    hidden = complete(now, small(now))
    return hidden, complete(before, complete(before, small(before)) | hidden)


def cells_of(picture):
    """(district id, None or "all"; theme code or None for the total) → the cell."""
    areas = [(a["district"]["id"], a) for a in picture["districts"]]
    areas += [(None, picture["outside_districts"]), ("all", picture["municipality_total"])]
    cells = {}
    for key, area in areas:
        for row in area["themes"]:
            cells[(key, row.pop("theme")["code"])] = row
        cells[(key, None)] = area["total"]
    return cells


def assert_same(actual, expected):
    assert actual.keys() == expected.keys()
    for key, want in expected.items():
        got = actual[key]
        assert got.keys() == want.keys(), key
        for name, value in want.items():
            if isinstance(value, float) and name != "median_days_to_resolve":
                assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-9), (key, name)
            else:
                assert got[name] == value, (key, name)


def test_it_agrees_with_an_independent_computation(town, planner):
    picture = get(planner, "/api/v1/municipalities/285/picture/", **QUERY)
    expected = reference(planner, public=False)
    assert_same(cells_of(picture), expected)
    # The data reaches every branch: medians, missing severities, outside, previous period.
    assert expected[("all", None)]["median_days_to_resolve"] is not None
    assert expected[(None, None)]["observations"] > 0
    assert expected[("all", None)]["previous_problems"] > 0
    assert picture["all_observations"] is True
    assert picture["period"] == {**QUERY, "previous_start": PREVIOUS_START.isoformat()}


def test_the_district_endpoint_gives_the_same_cells(town, planner):
    whole = cells_of(get(planner, "/api/v1/municipalities/285/picture/", **QUERY))
    for district in town.districts.all():
        picture = get(planner, f"/api/v1/districts/{district.pk}/picture/", **QUERY)
        assert picture["district"]["id"] == district.pk
        assert picture["population"] == district.population
        for row in picture["themes"]:
            assert row == {"theme": row["theme"], **whole[(district.pk, row["theme"]["code"])]}
        assert picture["total"] == whole[(district.pk, None)]


def test_the_public_sees_public_observations_with_small_cells_suppressed(town, planner, public):
    picture = get(public, "/api/v1/municipalities/285/picture/", **QUERY)
    expected = reference(planner, public=True)
    cells = cells_of(picture)
    assert_same(cells, expected)
    suppressed = [key for key, cell in cells.items() if cell["suppressed"]]
    shown = [key for key, cell in cells.items() if not cell["suppressed"]]
    assert suppressed and shown
    for key in suppressed:
        assert all(cells[key][name] is None for name in FIGURES)
    assert all(cells[key]["observations"] >= K_ANONYMITY for key in shown)
    assert picture["all_observations"] is False
    # Internal and sensitive ones are left out, not only hidden.
    staff = cells_of(get(planner, "/api/v1/municipalities/285/picture/", **QUERY))
    assert cells[("all", None)]["observations"] < staff[("all", None)]["observations"]


def test_no_hidden_count_can_be_worked_out_from_what_the_public_sees(town, public):
    picture = get(public, "/api/v1/municipalities/285/picture/", **QUERY)
    assert_no_hidden_count_can_be_worked_out(picture)
    # Some cells are hidden though they are not small, or a total would give one away.
    unsuppressed = cells_of(
        municipality_picture(
            Observation.objects.visible_to_public(),
            town,
            Period(START, END),
            suppress_small=False,
        )
    )
    cells = cells_of(picture)
    assert any(
        cells[key]["suppressed"] and unsuppressed[key]["observations"] >= K_ANONYMITY
        for key in cells
    )
    # The district endpoint hides the same cells: what is hidden depends on the others.
    for district in town.districts.all():
        row = get(public, f"/api/v1/districts/{district.pk}/picture/", **QUERY)
        assert row["total"] == cells[(district.pk, None)]
        for cell in row["themes"]:
            assert cell == {"theme": cell["theme"], **cells[(district.pk, cell["theme"]["code"])]}
    # And so does a picture of one theme.
    lighting = get(public, "/api/v1/municipalities/285/picture/", theme="lighting", **QUERY)
    assert_no_hidden_count_can_be_worked_out(lighting)
    assert lighting["municipality_total"]["total"] == cells[("all", "lighting")]
    for area in lighting["districts"]:
        assert area["total"] == cells[(area["district"]["id"], "lighting")]


def test_staff_see_every_cell(town, lighting_staff):
    cells = cells_of(get(lighting_staff, "/api/v1/municipalities/285/picture/", **QUERY))
    assert not any(cell["suppressed"] or cell["previous_suppressed"] for cell in cells.values())


def test_the_change_is_against_the_previous_period_of_the_same_length(town, planner):
    # START..END is 181 days: the previous period is 2024-07-04..2025-01-01.
    now = cells_of(get(planner, "/api/v1/municipalities/285/picture/", **QUERY))[("all", None)]
    before = cells_of(
        get(
            planner,
            "/api/v1/municipalities/285/picture/",
            start=PREVIOUS_START.isoformat(),
            end=START.isoformat(),
        )
    )[("all", None)]
    assert now["previous_problems"] == before["problems"]
    assert now["change"] == now["problems"] - before["problems"]
    assert now["change_percent"] == pytest.approx(
        (now["problems"] - before["problems"]) * 100 / before["problems"]
    )


def test_a_theme_narrows_every_cell(town, planner):
    picture = get(planner, "/api/v1/municipalities/285/picture/", theme="lighting", **QUERY)
    whole = cells_of(get(planner, "/api/v1/municipalities/285/picture/", **QUERY))
    assert [row["theme"]["code"] for row in picture["municipality_total"]["themes"]] == ["lighting"]
    assert picture["municipality_total"]["total"] == whole[("all", "lighting")]


def test_it_answers_404_for_an_unknown_district_or_municipality(public):
    assert public.get("/api/v1/districts/999999/picture/").status_code == 404
    assert public.get("/api/v1/municipalities/999/picture/").status_code == 404


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2025-13-01"}, "start"),
        ({"end": "tomorrow"}, "end"),
        ({"start": "2025-07-01", "end": "2025-01-01"}, "start"),
        ({"start": "2025-07-01", "end": "2025-07-01"}, "start"),
        ({"theme": "no_such_theme"}, "theme"),
        ({"district": "1"}, "district"),
        # The period before one starting in year 149 would start before year 1.
        ({"start": "0149-01-02", "end": "2026-01-01"}, "start"),
    ],
)
def test_it_answers_400_for_bad_parameters(town, public, params, field):
    response = public.get("/api/v1/municipalities/285/picture/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_the_default_period_is_the_last_twelve_months(town, public):
    picture = get(public, "/api/v1/municipalities/285/picture/")
    start, end = (datetime.date.fromisoformat(picture["period"][k]) for k in ("start", "end"))
    assert end - timedelta(days=1) == datetime.date.today() or end == datetime.date.today()
    assert (end - start).days in (365, 366)
