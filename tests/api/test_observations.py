# SPDX-License-Identifier: EUPL-1.2
"""Reading observations: the FeatureCollection built in PostGIS, its filters and paging."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point

from geo.models import Address
from tests.api.conftest import EAST, WEST
from walks.models import Observation, Status, Visibility

HELSINKI = ZoneInfo("Europe/Helsinki")


def features(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def ids(response):
    return [f["id"] for f in features(response)["features"]]


def test_it_lists_public_observations_with_public_properties_only(
    public, make_observation, planner
):
    seen = make_observation(severity=4, light_condition="dark", description="Lamppu rikki")
    seen.reporter = planner.user
    seen.save()
    body = features(public.get("/api/v1/observations/"))
    assert body["count"] == 1
    (feature,) = body["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [26.92, 60.46]}
    assert feature["id"] == seen.pk
    assert set(feature["properties"]) == {
        "id", "uuid", "category", "theme", "status", "severity", "perceived_safety",
        "is_positive", "light_condition", "description", "proposed_fix", "district",
        "municipality", "walk", "source", "observed_at", "updated_at", "responsible_unit",
        "stretch", "address",
    }  # fmt: skip
    properties = feature["properties"]
    assert properties["category"] == "lamp_out" and properties["theme"] == "lighting"
    assert properties["district"] == seen.district_id
    assert properties["municipality"] == "285"
    assert "suunnittelija" not in response_text(public.get("/api/v1/observations/"))


def response_text(response):
    return response.content.decode()


def test_it_hides_internal_rejected_and_sensitive_observations_from_the_public(
    public, planner, make_observation
):
    shown = make_observation()
    make_observation(visibility=Visibility.INTERNAL)
    make_observation(status=Status.REJECTED)
    make_observation(category="drugs", visibility=Visibility.PUBLIC)
    assert ids(public.get("/api/v1/observations/")) == [shown.pk]
    assert features(planner.get("/api/v1/observations/"))["count"] == 4
    planners_view = features(planner.get(f"/api/v1/observations/{shown.pk}/"))
    assert planners_view["properties"]["visibility"] == "public"


def test_it_builds_the_whole_page_in_one_query(
    public, make_observation, django_assert_max_num_queries
):
    for _ in range(30):
        make_observation()
    with django_assert_max_num_queries(1):
        body = features(public.get("/api/v1/observations/", {"limit": 25}))
    assert (body["count"], len(body["features"])) == (30, 25)


def test_it_keeps_the_query_count_flat_for_signed_in_staff(
    planner, make_observation, django_assert_max_num_queries
):
    for _ in range(30):
        make_observation()
    # Token, the user's groups, the FeatureCollection.
    with django_assert_max_num_queries(3):
        features(planner.get("/api/v1/observations/"))


def test_it_pages_newest_first_with_links(public, make_observation):
    made = [
        make_observation(observed_at=datetime(2026, 11, day, 18, tzinfo=HELSINKI))
        for day in (1, 2, 3)
    ]
    first = features(public.get("/api/v1/observations/", {"limit": 2}))
    assert [f["id"] for f in first["features"]] == [made[2].pk, made[1].pk]
    second = features(public.get(first["next"]))
    assert [f["id"] for f in second["features"]] == [made[0].pk]
    assert second["next"] is None
    assert first["count"] == second["count"] == 3


def test_it_still_counts_on_a_page_past_the_end(public, make_observation):
    for _ in range(3):
        make_observation()
    beyond = features(public.get("/api/v1/observations/", {"limit": 2, "offset": 10}))
    assert (beyond["count"], beyond["features"], beyond["next"]) == (3, [], None)


def test_it_filters_by_bbox(public, make_observation):
    west = make_observation(at=WEST)
    make_observation(at=EAST)
    assert ids(public.get("/api/v1/observations/", {"bbox": "26.90,60.44,26.94,60.48"})) == [
        west.pk
    ]


@pytest.mark.parametrize(
    "bbox",
    ["26.9,60.4,27.0", "a,b,c,d", "27,60,26,61", "26,91,27,92", "-181,60,27,61", "nan,1,2,3"],
)
def test_it_refuses_a_bad_bbox(public, db, bbox):
    response = public.get("/api/v1/observations/", {"bbox": bbox})
    assert response.status_code == 400
    assert list(response.json()) == ["bbox"]


def test_it_filters_by_district_municipality_category_theme_and_walk(
    public, make_observation, walk
):
    west = make_observation(at=WEST, walk=walk)
    east = make_observation(at=EAST, category="pothole")
    assert ids(public.get("/api/v1/observations/", {"district": west.district_id})) == [west.pk]
    assert len(ids(public.get("/api/v1/observations/", {"municipality": "285"}))) == 2
    # A code nothing has is a mistake, named as in every other consumer of the filters.
    unknown = public.get("/api/v1/observations/", {"municipality": "091"})
    assert unknown.status_code == 400 and list(unknown.json()) == ["municipality"]
    assert ids(public.get("/api/v1/observations/", {"category": "pothole"})) == [east.pk]
    both = public.get("/api/v1/observations/", {"category": "pothole,lamp_out"})
    assert sorted(ids(both)) == sorted([west.pk, east.pk])
    assert ids(public.get("/api/v1/observations/", {"theme": "road_condition"})) == [east.pk]
    assert ids(public.get("/api/v1/observations/", {"walk": walk.pk})) == [west.pk]


def test_it_filters_by_status_severity_light_and_positive(public, make_observation):
    a = make_observation(severity=2, light_condition="dark")
    b = make_observation(severity=5, status=Status.CONFIRMED)
    c = make_observation(category="safe_place", is_positive=True, light_condition="dusk")
    get = lambda **q: sorted(ids(public.get("/api/v1/observations/", q)))  # noqa: E731
    assert get(status="confirmed") == [b.pk]
    assert get(status="new,confirmed") == sorted([a.pk, b.pk, c.pk])
    assert get(severity_min=3) == [b.pk]
    assert get(severity_max=3) == [a.pk]
    assert get(light="dark") == [a.pk]
    assert get(positive="true") == [c.pk]
    assert get(positive="false") == sorted([a.pk, b.pk])


def test_it_filters_by_observation_day_in_local_time(public, make_observation):
    evening = make_observation(observed_at=datetime(2026, 11, 20, 23, 30, tzinfo=HELSINKI))
    make_observation(observed_at=datetime(2026, 11, 21, 0, 30, tzinfo=HELSINKI))
    assert ids(
        public.get(
            "/api/v1/observations/",
            {"observed_after": "2026-11-20", "observed_before": "2026-11-21"},
        )
    ) == [evening.pk]


def test_it_gives_sync_clients_what_changed_since(public, make_observation):
    old = make_observation()
    Observation.objects.filter(pk=old.pk).update(updated_at=datetime(2026, 1, 1, tzinfo=HELSINKI))
    new = make_observation()
    response = public.get("/api/v1/observations/", {"updated_since": "2026-06-01T00:00:00+02:00"})
    assert ids(response) == [new.pk]
    # An unencoded plus sign arrives as a space; it still means +02:00.
    response = public.get("/api/v1/observations/?updated_since=2026-06-01T00:00:00+02:00")
    assert ids(response) == [new.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"severity_min": "9"}, "severity_min"),
        ({"severity_min": "4", "severity_max": "2"}, "severity_min"),
        ({"observed_after": "20.11.2026"}, "observed_after"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"light": "bright"}, "light"),
        ({"positive": "maybe"}, "positive"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
        ({"district": "x"}, "district"),
        ({"sort": "severity"}, "sort"),
    ],
)
def test_it_answers_a_bad_query_parameter_with_a_400_naming_it(public, db, query, field):
    response = public.get("/api/v1/observations/", query)
    assert response.status_code == 400
    assert field in response.json()


def test_it_names_every_unknown_parameter(public, db):
    response = public.get("/api/v1/observations/", {"colour": "red", "bbox": "1,2,3,4", "x": 1})
    assert response.json() == {
        "colour": ["Unknown query parameter."],
        "x": ["Unknown query parameter."],
    }


def test_it_reads_one_observation_as_a_feature(public, make_observation):
    observation = make_observation(proposed_fix="Uusi lamppu")
    body = features(public.get(f"/api/v1/observations/{observation.pk}/"))
    assert body["type"] == "Feature"
    assert body["properties"]["proposed_fix"] == "Uusi lamppu"
    assert "visibility" not in body["properties"]


def test_it_404s_an_observation_the_caller_may_not_read(public, make_observation):
    hidden = make_observation(visibility=Visibility.INTERNAL)
    assert public.get(f"/api/v1/observations/{hidden.pk}/").status_code == 404
    assert public.get("/api/v1/observations/999999/").status_code == 404


def test_it_shows_the_history_without_names_to_the_public(public, planner, make_observation):
    observation = make_observation()
    observation.change_status(Status.CONFIRMED, by=planner.user, note="Tarkistettu")
    (change,) = public.get(f"/api/v1/observations/{observation.pk}/history/").json()
    assert (change["from_status"], change["to_status"]) == ("new", "confirmed")
    assert "changed_by" not in change and "note" not in change
    (change,) = planner.get(f"/api/v1/observations/{observation.pk}/history/").json()
    assert (change["changed_by"], change["note"]) == ("suunnittelija", "Tarkistettu")


def test_it_gives_the_nearest_address_in_the_readers_language(public, make_observation):
    # 0.0005° of latitude is 56 m; 0.002° is 222 m, past the 150 m of the setting.
    Address.objects.create(
        municipality_id=make_observation().municipality_id,
        street="Kirkkokatu",
        street_sv="Kyrkogatan",
        number="4 B",
        postcode="48100",
        geom=Point(WEST[0], WEST[1] + 0.0005),
    )
    far = make_observation(at=(WEST[0], WEST[1] + 0.002))

    body = features(public.get("/api/v1/observations/"))
    addresses = {f["id"]: f["properties"]["address"] for f in body["features"]}
    assert addresses.pop(far.pk) is None
    assert list(addresses.values()) == ["Kirkkokatu 4 B, 48100"]
    body = features(public.get("/api/v1/observations/", HTTP_ACCEPT_LANGUAGE="sv"))
    assert "Kyrkogatan 4 B, 48100" in {f["properties"]["address"] for f in body["features"]}
