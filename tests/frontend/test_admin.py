# SPDX-License-Identifier: EUPL-1.2
"""The admin: every model listed, geometries on a Leaflet map, status changes in the history."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from geo.models import Address
from tests.frontend.conftest import screenshot
from walks.models import Category, Observation, Status, StatusChange

MODEL_LISTS = [
    "geo/municipality",
    "geo/district",
    "geo/address",
    "walks/category",
    "walks/theme",
    "walks/responsibleunit",
    "walks/safetywalk",
    "walks/observation",
    "plans/safetyplan",
    "plans/priority",
    "plans/action",
    "plans/citizenpromise",
    "surveys/survey",
    "surveys/question",
    "surveys/response",
]


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("aino", "aino@example.fi", "lyhty-test-pw")


@pytest.fixture
def observation(municipality):
    return Observation.objects.create(
        municipality=municipality,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(26.92, 60.46, srid=4326),
        description="Lamppu rikki",
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_edits_an_observation_on_a_map(page_in, live_server, admin_user, observation):
    page = page_in("en")
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("aino")
    page.get_by_label("Password").fill("lyhty-test-pw")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/walks/observation/{observation.pk}/change/")

    map_widget = page.locator("#id_geom-map.leaflet-container")
    map_widget.wait_for()
    assert map_widget.locator(".leaflet-marker-icon").count() == 1
    assert page.locator(".field-district .readonly").inner_text() == "Länsi"
    screenshot(page, "admin-observation-en")


def test_it_lists_every_model_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/").content.decode()
    for path in MODEL_LISTS:
        assert f"/admin/{path}/" in page
        assert client.get(f"/admin/{path}/").status_code == 200


def test_it_shows_the_nearest_address_or_else_the_coordinates(client, admin_user, observation):
    far = Observation.objects.create(
        municipality=observation.municipality,
        category=observation.category,
        geom=Point(26.95, 60.47, srid=4326),
    )
    Address.objects.create(
        municipality=observation.municipality,
        street="Kirkkokatu",
        number="4",
        postcode="48100",
        geom=Point(26.9201, 60.4601),
    )
    client.force_login(admin_user)

    listing = client.get("/admin/walks/observation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Kirkkokatu 4, 48100" in listing
    assert "60.47000° N, 26.95000° E" in listing
    page = client.get(f"/admin/walks/observation/{observation.pk}/change/").content.decode()
    assert "Kirkkokatu 4, 48100" in page
    found = client.get("/admin/walks/observation/", {"q": "Kirkkokatu"}).content.decode()
    assert f"/admin/walks/observation/{observation.pk}/change/" in found
    assert f"/admin/walks/observation/{far.pk}/change/" not in found


def test_it_filters_observations_by_district_and_status(client, admin_user, observation):
    client.force_login(admin_user)
    response = client.get(
        "/admin/walks/observation/",
        {"district__id__exact": observation.district_id, "status__exact": "new"},
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    response = client.get("/admin/walks/observation/", {"status__exact": "resolved"})
    assert response.context["cl"].result_count == 0


def change_form(observation, **changes):
    form = {
        "municipality": observation.municipality_id,
        "category": observation.category_id,
        "status": observation.status,
        "visibility": observation.visibility,
        "source": observation.source,
        "moderation": observation.moderation,
        "geom": observation.geom.geojson,
        "position_source": observation.position_source,
        "observed_at_0": "2026-11-20",
        "observed_at_1": "18:30:00",
        "description": observation.description,
        "history-TOTAL_FORMS": 0,
        "history-INITIAL_FORMS": 0,
    }
    form.update(changes)
    return form


def test_it_records_a_status_change_made_in_the_admin(client, admin_user, observation):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/walks/observation/{observation.pk}/change/",
        change_form(observation, status="confirmed"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    change = StatusChange.objects.get(observation=observation)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "new",
        "confirmed",
        admin_user,
    )


def test_it_refuses_a_transition_the_workflow_does_not_allow(client, admin_user, observation):
    Observation.objects.filter(pk=observation.pk).update(status=Status.REJECTED)
    observation.refresh_from_db()
    client.force_login(admin_user)
    for language, message in [
        ("en", "cannot go from rejected to resolved"),
        ("fi", "ei voi vaihtaa tilasta hylätty tilaan korjattu"),
    ]:
        response = client.post(
            f"/admin/walks/observation/{observation.pk}/change/",
            change_form(observation, status="resolved"),
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    observation.refresh_from_db()
    assert observation.status == Status.REJECTED
    assert not StatusChange.objects.exists()


def test_it_asks_for_the_original_of_a_duplicate(client, admin_user, observation):
    client.force_login(admin_user)
    url = f"/admin/walks/observation/{observation.pk}/change/"
    for language, message in [
        ("en", "An observation cannot duplicate itself."),
        ("fi", "Havainto ei voi olla itsensä kaksoiskappale."),
    ]:
        response = client.post(
            url,
            change_form(observation, status="duplicate", duplicate_of=observation.pk),
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["duplicate_of"] == [message]
    response = client.post(
        url, change_form(observation, status="duplicate"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Name the original: the id of the observation this repeats." in (
        response.content.decode()
    )
    observation.refresh_from_db()
    assert (observation.status, observation.duplicate_of) == ("new", None)
    assert not StatusChange.objects.exists()


def test_it_marks_a_duplicate_and_lets_go_of_the_original_on_reopening(
    client, admin_user, observation
):
    original = Observation.objects.create(
        municipality=observation.municipality,
        category=observation.category,
        geom=Point(26.921, 60.46, srid=4326),
    )
    client.force_login(admin_user)
    url = f"/admin/walks/observation/{observation.pk}/change/"
    response = client.post(
        url, change_form(observation, status="duplicate", duplicate_of=original.pk)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    observation.refresh_from_db()
    assert (observation.status, observation.duplicate_of) == ("duplicate", original)

    # The original is still in the form as the user reopens it: it is let go, not a 500.
    response = client.post(url, change_form(observation, status="new", duplicate_of=original.pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    observation.refresh_from_db()
    assert (observation.status, observation.duplicate_of) == ("new", None)
    assert list(
        StatusChange.objects.filter(observation=observation).values_list("from_status", "to_status")
    ) == [("new", "duplicate"), ("duplicate", "new")]

    # A confirmed observation names no original.
    response = client.post(
        url,
        change_form(observation, status="confirmed", duplicate_of=original.pk),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["duplicate_of"] == [
        "Give the original only when the status is duplicate."
    ]
    observation.refresh_from_db()
    assert (observation.status, observation.duplicate_of) == ("new", None)
