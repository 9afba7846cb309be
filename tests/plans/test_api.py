# SPDX-License-Identifier: EUPL-1.2
"""/api/v1/plans/ and /api/v1/actions/: drafts stay hidden, a hotspot becomes an action with
exactly the observations an independent computation (shapely over the same points) finds."""

import json
import math
import random

import pytest
import shapely
from django.contrib.gis.geos import Point

from plans.models import Action
from tests.api.conftest import admin, lighting_staff  # noqa: F401
from walks.models import Category, Observation, Status, Visibility

pytestmark = pytest.mark.django_db

# A pentagon over both districts of the test town (lon/lat).
AREA = [[26.915, 60.445], [26.965, 60.448], [26.972, 60.470], [26.940, 60.476], [26.912, 60.462]]


def post(client, body):
    return client.post("/api/v1/actions/", json.dumps(body), content_type="application/json")


@pytest.fixture
def scattered(municipality):
    """300 observations over the whole town, in three categories, some internal."""
    rng = random.Random(6)  # noqa: S311
    categories = [Category.objects.get(code=c) for c in ("lamp_out", "dark_spot", "pothole")]
    for _ in range(300):
        Observation.objects.create(
            municipality=municipality,
            category=rng.choice(categories),
            geom=Point(rng.uniform(26.90, 26.98), rng.uniform(60.44, 60.48), srid=4326),
            status=rng.choice([Status.NEW, Status.CONFIRMED, Status.RESOLVED]),
            visibility=rng.choice([Visibility.PUBLIC, Visibility.INTERNAL]),
        )


def test_it_shows_published_plans_to_everyone_and_drafts_to_planners(public, planner, plan, draft):
    seen = json.loads(public.get("/api/v1/plans/?municipality=285").content)
    assert [p["id"] for p in seen["results"]] == [plan.pk]
    assert public.get(f"/api/v1/plans/{draft.pk}/").status_code == 404
    ids = {p["id"] for p in json.loads(planner.get("/api/v1/plans/").content)["results"]}
    assert ids == {plan.pk, draft.pk}
    detail = json.loads(planner.get(f"/api/v1/plans/{draft.pk}/").content)
    assert detail["state"] == "draft"
    assert len(detail["actions"]) == 5 and len(detail["priorities"]) == 2
    assert detail["promises"][0]["police"] == "Poliisi"


def test_it_names_an_unknown_parameter(public, plan):
    response = public.get("/api/v1/plans/?town=285")
    assert response.status_code == 400 and "town" in json.loads(response.content)


def test_it_links_exactly_the_observations_inside_the_area(planner, plan, scattered):
    body = {
        "plan": plan.pk,
        "title": "Valoa alueelle",
        "area": {"type": "Polygon", "coordinates": [[*AREA, AREA[0]]]},
        "filters": {"theme": "lighting", "status": ["new", "confirmed"]},
        "owner_kind": "municipal",
        "owner_name": "Katuvalaistus",
        "deadline": str(plan.period_start.replace(year=plan.period_start.year + 1)),
    }
    response = post(planner, body)
    assert response.status_code == 201, response.content
    answer = json.loads(response.content)

    # The reference: shapely and plain Python over every observation of the town.
    polygon = shapely.Polygon(AREA)
    expected = {
        o.pk
        for o in Observation.objects.select_related("category__theme")
        if o.category.theme.code == "lighting"
        and o.status in ("new", "confirmed")
        and polygon.covers(shapely.Point(o.geom.x, o.geom.y))
    }
    action = Action.objects.get(pk=answer["id"])
    assert set(action.observations.values_list("pk", flat=True)) == expected
    assert 20 < len(expected) < 150  # the case is not trivial
    assert answer["observations"] == len(expected)
    assert answer["plan_url"].endswith(f"/plan/285/?plan={plan.pk}")
    assert answer["area"]["type"] == "MultiPolygon"
    assert answer["filters"] == body["filters"]
    assert action.year == plan.period_start.year + 1


def test_it_links_the_observations_of_a_district(planner, plan, scattered, municipality):
    east = municipality.districts.get(code="2")
    response = post(
        planner,
        {"plan": plan.pk, "title": "Itä", "district": east.pk, "filters": {"severity_min": 1}},
    )
    assert response.status_code == 201, response.content
    action = Action.objects.get(pk=json.loads(response.content)["id"])
    # severity_min drops those without a severity: all of these.
    assert action.observations.count() == 0
    response = post(planner, {"plan": plan.pk, "title": "Itä", "district": east.pk})
    action = Action.objects.get(pk=json.loads(response.content)["id"])
    east_shape = shapely.box(26.94, 60.44, 26.98, 60.48)
    expected = {
        o.pk
        for o in Observation.objects.all()
        if east_shape.covers(shapely.Point(o.geom.x, o.geom.y)) and o.geom.x != 26.94
    }
    assert set(action.observations.values_list("pk", flat=True)) == expected


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"district": None}, "district"),  # neither district nor area
        ({"area": {"type": "Polygon", "coordinates": [[*AREA, AREA[0]]]}}, "district"),  # both
        ({"filters": {"colour": "red"}}, "filters"),
        ({"filters": {"status": "lost"}}, "filters"),
        ({"filters": "theme=lighting"}, "filters"),
        ({"plan": 10**9}, "plan"),
        ({"title": ""}, "title"),
        ({"status": "forgotten"}, "status"),
        ({"deadline": "tomorrow"}, "deadline"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(planner, plan, municipality, change, field):
    body = {"plan": plan.pk, "title": "X", "district": municipality.districts.first().pk}
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    before = Action.objects.count()
    response = post(planner, body)
    assert response.status_code == 400, response.content
    assert field in json.loads(response.content)
    assert Action.objects.count() == before


@pytest.mark.parametrize(
    "area",
    [
        {"type": "Point", "coordinates": [26.9, 60.4]},
        {"type": "Polygon", "coordinates": [[[26.9, 60.4], [27.0, 60.4], [26.9, 60.4]]]},
        {
            "type": "Polygon",
            "coordinates": [[[26.9, 60.4], [27.0, 60.5], [27.0, 60.4], [26.9, 60.5], [26.9, 60.4]]],
        },
        {
            "type": "Polygon",
            "coordinates": [[[326.9, 60.4], [27.0, 60.5], [27.0, 60.4], [326.9, 60.4]]],
        },
        {
            "type": "Polygon",
            "crs": {"type": "name", "properties": {"name": "EPSG:3067"}},
            "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]],
        },
    ],
    ids=["point", "open-ring", "bow-tie", "out-of-range", "other-crs"],
)
def test_it_refuses_a_bad_area(planner, plan, area):
    response = post(planner, {"plan": plan.pk, "title": "X", "area": area})
    assert response.status_code == 400, response.content
    assert "area" in json.loads(response.content)
    assert "%(" not in json.loads(response.content)["area"][0]  # the message is filled in
    assert not Action.objects.filter(title_en="X").exists()


def test_it_refuses_an_area_of_too_many_positions_and_takes_one_at_the_limit(planner, plan):
    def circle(positions):
        ring = [
            [
                26.95 + 0.01 * math.cos(2 * math.pi * n / (positions - 1)),
                60.45 + 0.005 * math.sin(2 * math.pi * n / (positions - 1)),
            ]
            for n in range(positions - 1)
        ]
        return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

    response = post(planner, {"plan": plan.pk, "title": "X", "area": circle(6000)})
    assert response.status_code == 400
    assert json.loads(response.content)["area"] == ["An area has at most 5000 positions."]
    assert not Action.objects.filter(title_en="X").exists()

    response = post(planner, {"plan": plan.pk, "title": "Y", "area": circle(5000)})
    assert response.status_code == 201, response.content


def test_it_refuses_a_district_of_another_municipality(planner, plan):
    from geo.models import District, Municipality
    from tests.conftest import box

    other = Municipality.objects.create(
        code="999", country="FI", name_fi="Muu", geom=box(25.0, 60.0, 25.1, 60.1)
    )
    far = District.objects.create(
        municipality=other, name="Kaukana", geom=box(25.0, 60.0, 25.1, 60.1)
    )
    response = post(planner, {"plan": plan.pk, "title": "X", "district": far.pk})
    assert response.status_code == 400 and "district" in json.loads(response.content)


def test_it_lets_only_planners_create_actions(public, lighting_staff, admin, plan, municipality):  # noqa: F811
    body = {"plan": plan.pk, "title": "X", "district": municipality.districts.first().pk}
    assert post(public, body).status_code in (401, 403)
    assert post(lighting_staff, body).status_code == 403
    assert post(admin, body).status_code == 201


def test_it_does_not_let_the_public_count_internal_links(
    public, planner, plan, scattered, municipality
):
    east = municipality.districts.get(code="2")
    post(planner, {"plan": plan.pk, "title": "Itä", "district": east.pk})
    plan.publish()  # an action added to a published plan is a draft until then
    counts = {
        a["title"]: a["observations"]
        for a in json.loads(public.get(f"/api/v1/plans/{plan.pk}/").content)["actions"]
    }
    action = Action.objects.get(title_en="Itä")
    assert counts["Itä"] == action.observations.visible_to_public().count()
    assert counts["Itä"] < action.observations.count()


def test_it_makes_one_action_for_a_repeated_request_with_the_same_key(
    planner, plan, draft, scattered, municipality
):
    east = municipality.districts.get(code="2")
    body = {
        "plan": plan.pk,
        "title": "Itä",
        "district": east.pk,
        "key": "6f1c2b0a-0d4e-4a8e-9b7c-3e2f1a0b9c8d",
    }
    before = Action.objects.count()
    first = post(planner, body)
    assert first.status_code == 201, first.content
    again = post(planner, body)  # a double click, or a retry after a lost answer
    assert again.status_code == 200, again.content
    assert json.loads(again.content) == json.loads(first.content)
    assert Action.objects.count() == before + 1
    assert Action.objects.get(pk=json.loads(first.content)["id"]).observations.count() > 0
    # Another key is another action; a key of another plan's action is refused.
    assert post(planner, {**body, "key": "0b0e5b6e-5a4c-4f7e-8d2a-1c9b8a7f6e5d"}).status_code == 201
    assert Action.objects.count() == before + 2
    other = post(planner, {**body, "plan": draft.pk})
    assert other.status_code == 400
    assert json.loads(other.content) == {
        "key": ["This key was used for an action of another plan."]
    }
    assert Action.objects.count() == before + 2
