# SPDX-License-Identifier: EUPL-1.2
"""Personal data: retention makes old names and routes go, one person's copy and erasure,
and the privacy page that states the same periods."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, Point
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from tests.conftest import WEST
from tests.walks.test_photos import jpeg_bytes, upload
from walks.models import (
    AuditEvent,
    Category,
    Moderation,
    Observation,
    ParticipantTrack,
    Photo,
    ResidentReport,
    SafetyWalk,
    Source,
    WalkParticipant,
)
from walks.photos import store_photo


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def walk_ended(municipality, days_ago, title):
    end = timezone.now() - timedelta(days=days_ago)
    return SafetyWalk.objects.create(
        municipality=municipality,
        title=title,
        starts_at=end - timedelta(hours=2),
        ends_at=end,
        group="residents",
        state="closed",
    )


def participant_with_a_point_and_a_route(walk, name):
    participant = WalkParticipant.objects.create(walk=walk, group="residents", display_name=name)
    Observation.objects.create(
        municipality=walk.municipality,
        walk=walk,
        participant=participant,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(*WEST, srid=4326),
        description="Valo ei pala",
    )
    ParticipantTrack.objects.create(
        participant=participant,
        geom=LineString((26.91, 60.45), (26.92, 60.46), srid=4326),
    )
    return participant


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_retention_removes_old_names_and_routes_and_keeps_the_findings(municipality, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "participant_names": 365}
    settings.RETENTION_DAYS["participant_tracks"] = 90
    old = participant_with_a_point_and_a_route(walk_ended(municipality, 400, "2025"), "Aino")
    middle = participant_with_a_point_and_a_route(walk_ended(municipality, 100, "Syksy"), "Eero")
    new = participant_with_a_point_and_a_route(walk_ended(municipality, 10, "Eilen"), "Sanni")

    output = run("apply_retention")

    assert "Retention applied: 3 records changed." in output
    names = dict(WalkParticipant.objects.values_list("pk", "display_name"))
    assert names == {old.pk: "", middle.pk: "Eero", new.pk: "Sanni"}
    assert set(ParticipantTrack.objects.values_list("participant", flat=True)) == {new.pk}
    assert Observation.objects.count() == 3  # the findings stay
    assert "Retention applied: 0 records changed." in run("apply_retention")


def test_it_exports_a_participants_data_and_records_it(municipality):
    participant = participant_with_a_point_and_a_route(walk_ended(municipality, 1, "Ilta"), "Aino")

    data = json.loads(run("personal_data", participant=participant.key))

    [exported] = data["participants"]
    assert exported["participant"]["display_name"] == "Aino"
    assert exported["observations"][0]["description"] == "Valo ei pala"
    assert exported["track"] == [[26.91, 60.45], [26.92, 60.46]]
    event = AuditEvent.objects.get()
    assert (event.action, event.target_label) == ("personal_exported", f"#{participant.pk}")


def test_it_erases_a_participant_and_their_key_stops_working(municipality, client):
    participant = participant_with_a_point_and_a_route(walk_ended(municipality, 1, "Ilta"), "Aino")
    key = participant.key

    output = run("personal_data", participant=key, erase=True)

    assert "1 participants' names and keys removed, 1 recorded routes deleted" in output
    participant.refresh_from_db()
    assert participant.display_name == "" and participant.key != key
    assert not ParticipantTrack.objects.exists()
    refused = client.get("/api/v1/observations/", HTTP_AUTHORIZATION=f"Participant {key}")
    assert refused.status_code in (401, 403)
    assert "Aino" not in json.dumps(list(AuditEvent.objects.values()), default=str)
    exported = client.get(f"/api/v1/exports/observations.csv?municipality={municipality.code}")
    assert "Aino" not in exported.content.decode()


def test_it_erases_a_user_account(db):
    user = get_user_model().objects.create_user("aino", "Aino@Example.fi", "salasana-1")
    run("personal_data", email="aino@example.fi", erase=True)
    user.refresh_from_db()
    assert (user.username, user.email, user.is_active) == (f"erased-{user.pk}", "", False)
    assert not user.has_usable_password()


def test_it_says_when_nothing_is_stored(db):
    with pytest.raises(CommandError, match="Nothing is stored about this person"):
        run("personal_data", email="nobody@example.fi")
    with pytest.raises(CommandError, match="Give --email or --participant"):
        run("personal_data")


@pytest.mark.parametrize(
    ("language", "heading", "days"),
    [
        ("fi", "Tietosuoja", "365 päivää"),
        ("sv", "Dataskydd", "365 dagar"),
        ("en", "Privacy", "365 days"),
    ],
)
def test_the_privacy_page_states_the_periods_in_three_languages(
    client, municipality, settings, language, heading, days
):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "participant_names": 365}
    page = client.get(f"/privacy/{municipality.code}/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    text = page.content.decode()
    assert heading in text and days in text
    assert client.get("/privacy/nowhere/").status_code == 404


# --- residents' reports ---------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def resident_report(municipality, *, days_ago, email, moderation=Moderation.ACCEPTED):
    observation = Observation.objects.create(
        municipality=municipality,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(*WEST, srid=4326),
        description="Lamppu pimeänä kotini edessä, Kotikatu 5",
        source=Source.RESIDENT,
        moderation=moderation,
    )
    store_photo(observation, upload(jpeg_bytes()))
    report = ResidentReport.objects.create(observation=observation, email=email, notify=True)
    then = timezone.now() - timedelta(days=days_ago)
    ResidentReport.objects.filter(pk=report.pk).update(created_at=then)
    Observation.objects.filter(pk=observation.pk).update(updated_at=then)
    return report


def files(root) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_retention_removes_emails_links_and_rejected_photos_in_turn(
    municipality, media_root, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS = {
        **settings.RETENTION_DAYS,
        "resident_emails": 365,
        "follow_up_links": 730,
        "rejected_photos": 90,
    }
    fresh = resident_report(municipality, days_ago=10, email="a@example.fi")
    year = resident_report(municipality, days_ago=400, email="b@example.fi")
    gone = resident_report(municipality, days_ago=800, email="c@example.fi")
    rejected = resident_report(
        municipality, days_ago=100, email="d@example.fi", moderation=Moderation.REJECTED
    )
    assert len(files(media_root)) == 8  # four photos, four thumbnails

    with django_capture_on_commit_callbacks(execute=True):
        run("apply_retention")

    emails = dict(ResidentReport.objects.values_list("pk", "email"))
    assert emails == {fresh.pk: "a@example.fi", year.pk: "", rejected.pk: "d@example.fi"}
    assert gone.observation_id in set(Observation.objects.values_list("pk", flat=True))
    assert not Photo.objects.filter(observation=rejected.observation).exists()
    assert Photo.objects.count() == 3
    assert len(files(media_root)) == 6
    assert "Retention applied: 0 records changed." in run("apply_retention")


def test_it_erases_a_residents_reports_by_email(
    municipality, media_root, client, django_capture_on_commit_callbacks
):
    report = resident_report(municipality, days_ago=1, email="Asukas@Example.fi")
    data = json.loads(run("personal_data", email="asukas@example.fi"))
    assert data["reports"][0]["description"] == "Lamppu pimeänä kotini edessä, Kotikatu 5"

    with django_capture_on_commit_callbacks(execute=True):
        output = run("personal_data", email="asukas@example.fi", erase=True)

    assert "1 residents' reports stripped of their text, contact and link" in output
    assert not ResidentReport.objects.filter(pk=report.pk).exists()
    observation = Observation.objects.get(pk=report.observation_id)
    assert observation.description == ""
    assert files(media_root) == []
    admin = get_user_model().objects.create_superuser("yp", "yp@example.fi", None)
    client.force_login(admin)
    export = client.get(f"/api/v1/exports/observations.csv?municipality={municipality.code}")
    assert export.status_code == 200
    assert "Kotikatu" not in export.getvalue().decode()
    assert client.get(f"/report/follow/{report.token}/").status_code == 404
