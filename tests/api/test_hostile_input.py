# SPDX-License-Identifier: EUPL-1.2
"""Hostile payloads, from an outside test that broke pages and exports with one request
each: every case ends in a 4xx with a clear message, and nothing is stored.

Lone UTF-16 surrogates, JSON nested 100,000 deep, stretches of 100,000 vertices, dates
outside the years Python and the municipality live in, decompression bombs, and a client
rotating X-Forwarded-For to dodge the join-code throttle.
"""

import json
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from api.parsers import MAX_DEPTH, depth
from plans.models import Action
from tests.api.conftest import client_with, collection, feature
from tests.plans.conftest import make_plan
from tests.walks.test_photos import png_declaring
from walks.models import Observation, Photo, WalkParticipant

URL = "/api/v1/observations/"
JOIN = "/api/v1/walks/join/"


def post(client, url, body, **extra):
    content = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, content, content_type="application/json", **extra)


# Lone surrogates: JSON can spell "\ud800", UTF-8 (and so PostgreSQL) cannot hold it.

SURROGATE = "a\ud800b"


def test_it_refuses_a_lone_surrogate_in_text(participant, walk):
    response = post(participant, URL, feature(description=SURROGATE))
    assert response.status_code == 400
    assert response.json()["description"] == ["Surrogate characters are not allowed."]
    assert not Observation.objects.exists()


def test_it_refuses_only_the_bulk_item_with_a_surrogate(participant, walk):
    items = [feature(description=f"Lamppu {n}") for n in range(500)]
    items[7]["properties"]["proposed_fix"] = SURROGATE
    items[8]["properties"][SURROGATE] = 1  # an unknown property, named in the answer
    items[9]["properties"]["category"] = SURROGATE  # a code, quoted in the answer

    response = post(participant, URL, collection(items))

    assert response.status_code == 200
    answers = json.loads(response.content)  # valid JSON, though it echoes the surrogates
    assert [n for n, answer in enumerate(answers) if answer["result"] != "created"] == [7, 8, 9]
    assert answers[7]["errors"] == {"proposed_fix": ["Surrogate characters are not allowed."]}
    assert SURROGATE in answers[8]["errors"]
    assert Observation.objects.count() == 497
    refused = [items[n]["properties"]["uuid"] for n in (7, 8, 9)]
    assert not Observation.objects.filter(uuid__in=refused).exists()


def test_it_refuses_a_surrogate_in_a_join(public, walk):
    body = {"code": walk.join_code, "group": "youth", "privacy_accepted": True}
    response = post(public, JOIN, {**body, "display_name": SURROGATE})
    assert response.status_code == 400
    assert "display_name" in response.json()
    assert not WalkParticipant.objects.exists()


# JSON nested deeper than anything the API reads (a bulk of LineStrings is seven levels).


def deep(levels):
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 100_000])
def test_it_refuses_deep_json_from_anyone(public, walk, levels):
    started = time.perf_counter()
    response = post(public, JOIN, deep(levels))
    assert time.perf_counter() - started < 2
    assert response.status_code == 400
    assert response.json() == {"detail": f"The JSON is nested more than {MAX_DEPTH} levels deep."}
    assert not WalkParticipant.objects.exists()


def test_it_refuses_deep_json_in_the_callers_language(walk):
    response = post(client_with(), JOIN, deep(100_000), HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 400
    assert response.json() == {"detail": f"JSON on sisäkkäin yli {MAX_DEPTH} tasoa syvältä."}


def test_it_refuses_deep_json_in_observations_and_actions(participant, planner, municipality):
    nested = {"type": "Feature", "properties": json.loads(deep(MAX_DEPTH))}
    assert post(participant, URL, nested).status_code == 400
    plan = make_plan(municipality)
    actions_before = Action.objects.count()
    response = post(planner, "/api/v1/actions/", {"plan": plan.pk, "filters": {"a": nested}})
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    assert not Observation.objects.exists()
    assert Action.objects.count() == actions_before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{}", 1),
        ('{"a": "[[[\\"[[", "b": [[1], {"c": []}]}', 4),  # brackets in strings do not count
        ("[[], [[]], []]", 3),
        ("3", 0),
    ],
)
def test_it_measures_the_depth_outside_strings(text, expected):
    assert depth(text) == expected


def test_it_reads_json_up_to_the_limit_and_brackets_inside_strings(public, walk):
    """Not refused for depth: the serializer answers (a list is no join request)."""
    assert "non_field_errors" in post(public, JOIN, deep(MAX_DEPTH)).json()
    body = {"code": "[" * 1000, "group": "youth", "privacy_accepted": True}
    assert "code" in post(public, JOIN, body).json()  # too long, but not too deep


# Stretches: one dark bit of a way, not a megabyte of vertices.


def stretch(positions):
    return feature(geometry={"type": "LineString", "coordinates": positions})


def test_it_refuses_a_stretch_of_100000_vertices(participant, walk):
    positions = [[26.91 + n * 1e-7, 60.45] for n in range(100_000)]
    response = post(participant, URL, stretch(positions))
    assert response.status_code == 400
    assert response.json()["geometry"] == ["A stretch has at most 500 positions."]
    assert not Observation.objects.exists()


def test_it_refuses_a_stretch_longer_than_5_km(participant, walk):
    # 0.1° of longitude at 60.45° N is 5.5 km: 111,195 m × cos(60.45°) × 0.1.
    response = post(participant, URL, stretch([[26.90, 60.45], [27.00, 60.45]]))
    assert response.status_code == 400
    assert "at most 5000 m long" in response.json()["geometry"][0]
    assert not Observation.objects.exists()


def test_it_takes_a_stretch_at_the_limits(participant, walk):
    # 500 positions over 0.08° of longitude: 4.4 km.
    positions = [[26.90 + n * 0.08 / 499, 60.45] for n in range(500)]
    response = post(participant, URL, stretch(positions))
    assert response.status_code == 201, response.content
    assert Observation.objects.get().stretch.num_points == 500


# Dates: from 2000 to a day ahead; year 9999 at UTC-12 is year 10000 in UTC, past Python.

FAR_FUTURE = "9999-12-31T23:59:59-12:00"


@pytest.mark.parametrize(
    ("observed_at", "language", "message"),
    [
        (FAR_FUTURE, "en", "Give a time from 2000 onwards and at most a day from now"),
        (FAR_FUTURE, "fi", "Anna aika vuodesta 2000 alkaen"),
        (FAR_FUTURE, "sv", "Ange en tid från år 2000"),
        ("1999-12-31T23:59:59Z", "en", "Give a time from 2000 onwards"),
        ("0001-01-01T00:00:00+14:00", "en", "Give a time from 2000 onwards"),
        ("2026-02-30T10:00:00Z", "en", "Give a date and time in ISO 8601"),
    ],
)
def test_it_refuses_an_observation_time_out_of_range(walk, observed_at, language, message):
    from tests.api.conftest import participant_client

    client = participant_client(walk)
    response = post(client, URL, feature(observed_at=observed_at), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["observed_at"][0].startswith(message)
    assert not Observation.objects.exists()


def test_it_refuses_a_time_out_of_range_in_a_change(participant, walk):
    sent = feature(observed_at="2026-11-20T18:30:00+02:00")
    created = post(participant, URL, sent).json()
    response = participant.patch(
        f"{URL}{created['id']}/",
        json.dumps({"type": "Feature", "properties": {"observed_at": FAR_FUTURE}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Observation.objects.get().observed_at.isoformat() == "2026-11-20T16:30:00+00:00"


@pytest.mark.parametrize(
    "query", ["end=0001-01-01", "start=0001-01-01", "start=9999-12-31", "end=9999-12-31"]
)
def test_it_refuses_picture_dates_out_of_range(public, municipality, query):
    response = public.get(f"/api/v1/municipalities/{municipality.code}/picture/?{query}")
    assert response.status_code == 400
    field = query.split("=")[0]
    assert response.json()[field] == ["Give a date from 2000-01-01 to 2100-01-01."]


@pytest.mark.browser
def test_pages_exports_and_admin_work_with_the_extreme_times_allowed(
    seeded_taxonomy, municipality, admin
):
    """The far-future observation once broke all of these; the extremes allowed do not.
    Committed (transactional), since ogr2ogr reads the database on its own connection."""
    from tests.api.conftest import make_walk, participant_client

    walk = make_walk(municipality)
    participant = participant_client(walk)
    latest = (timezone.now() + timedelta(hours=23, minutes=59)).isoformat()
    ids = [
        post(participant, URL, feature(observed_at=moment)).json()["id"]
        for moment in ("2000-01-01T00:00:00Z", latest)
    ]
    make_plan(municipality)
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(admin.user)

    for path in (
        f"/walks/{walk.pk}/protocol/",
        f"/walks/{walk.pk}/protocol.pdf",
        "/api/v1/exports/observations.gpkg",
        "/api/v1/exports/all.gpkg",
        "/admin/walks/observation/",
        f"/admin/walks/observation/{ids[1]}/change/",
        *(f"/api/v1/observations/{pk}/" for pk in ids),
        *(f"/api/v1/observations/{pk}/history/" for pk in ids),
    ):
        response = staff.get(path)
        assert response.status_code == 200, path
        if response.streaming:
            b"".join(response.streaming_content)
    for pk in ids:
        assert participant.delete(f"/api/v1/observations/{pk}/").status_code == 204
    assert not Observation.objects.exists()


# Decompression bombs


def test_it_refuses_a_49_megapixel_png_cheaply(participant, walk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    created = post(participant, URL, feature()).json()
    bomb = png_declaring(7000, 7000)  # a few hundred bytes
    started = time.perf_counter()
    response = participant.post(
        f"{URL}{created['id']}/photos/",
        {"photo": SimpleUploadedFile("bomb.png", bomb, content_type="image/png")},
        format="multipart",
    )
    assert time.perf_counter() - started < 0.5
    assert response.status_code == 400
    assert "too many pixels" in response.json()["photo"][0]
    assert not Photo.objects.exists()
    assert not any(tmp_path.rglob("*.jpg"))


# The join-code throttle: a client cannot pose as many by rotating X-Forwarded-For.


@pytest.fixture
def three_per_minute(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "join", "3/minute")
    cache.clear()
    yield
    cache.clear()


def join(client, code, **extra):
    body = {"code": code, "group": "youth", "privacy_accepted": True}
    return post(client, JOIN, body, **extra)


def test_it_throttles_a_guesser_who_rotates_x_forwarded_for(public, walk, three_per_minute):
    answers = [
        join(public, f"GUESS{n:03d}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(6)
    ]
    assert answers == [404, 404, 404, 429, 429, 429]
    assert join(public, walk.join_code, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert not WalkParticipant.objects.exists()


def test_it_throttles_the_logger_pages_that_look_codes_up(walk, three_per_minute):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    pages = ["/walk/?code=GUESS001", "/walk/join/GUESS002/", "/walk/?code=GUESS003"]
    assert [browser.get(page).status_code for page in pages] == [200, 404, 200]
    refused = browser.get(f"/walk/join/{walk.join_code}/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Too many attempts" in refused.content.decode()
    assert walk.title not in refused.content.decode()  # nothing says the code exists
    assert join(client_with(), walk.join_code).status_code == 429  # one allowance for both


def test_it_believes_x_forwarded_for_from_a_trusted_proxy_only(
    public, walk, three_per_minute, settings
):
    """Behind a trusted proxy each client has its own allowance; the proxy writes the
    right-most address, so what a client put further left changes nothing."""
    import ipaddress

    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.0/8")]
    for n in range(3):
        spoofed = f"10.9.9.{n}, 203.0.113.7"  # the client wrote 10.9.9.n, the proxy .7
        assert join(public, "GUESS000", HTTP_X_FORWARDED_FOR=spoofed).status_code == 404
    assert join(public, "GUESS000", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    other = join(public, walk.join_code, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 201
    # From an address that is not a trusted proxy the header is ignored.
    assert join(public, "GUESS000", REMOTE_ADDR="192.0.2.1").status_code == 404
