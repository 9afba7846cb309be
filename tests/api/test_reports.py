# SPDX-License-Identifier: EUPL-1.2
"""Residents' reports through /api/v1/reports/: stored waiting for moderation, followed by
a private token, supported instead of doubled, moderated by staff, emailed about."""

import io
import json
import uuid

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.api.conftest import client_with, feature
from tests.conftest import WEST
from walks.models import Moderation, Observation, ResidentReport, Source, Status, Support

URL = "/api/v1/reports/"
DEVICE = "device-0123456789"
# 20 m north of WEST: 1° of latitude is ~111 km.
TWENTY_M_NORTH = (WEST[0], WEST[1] + 20 / 111_000)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def resident(language="fi", device=DEVICE):
    return client_with() if device is None else _client(language, device)


def _client(language, device):
    client = client_with()
    client.credentials(HTTP_ACCEPT_LANGUAGE=language, HTTP_X_LYHTY_DEVICE=device)
    return client


def send(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def report(client=None, **properties):
    """Send a report; its answer's JSON."""
    answer = send(client or resident(), feature(**properties))
    assert answer.status_code == 201, answer.content
    return answer.json()


def jpeg(colour=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def photo(client, token, data):
    upload = SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")
    return client.post(f"{URL}{token}/photos/", {"photo": upload}, format="multipart")


def test_a_report_waits_for_moderation_and_is_followed_by_its_token(municipality, public):
    answer = report(description="Lamppu pimeänä", email="asukas@example.fi")

    stored = Observation.objects.get(pk=answer["id"])
    assert (stored.source, stored.moderation, stored.visibility) == (
        Source.RESIDENT,
        Moderation.PENDING,
        "internal",
    )
    assert stored.reporter is None and stored.participant is None
    assert answer["follow_up"].endswith(f"/report/follow/{answer['token']}/")
    assert len(answer["token"]) >= 32
    follow = public.get(f"{URL}{answer['token']}/").json()
    assert (follow["status"], follow["moderation"], follow["emails"]) == ("new", "pending", True)
    assert public.get("/api/v1/observations/").json()["count"] == 0


def test_the_same_report_again_from_the_same_device_is_stored_once(municipality):
    body = feature(description="Kerran")
    first = send(resident(), body)
    again = send(resident(), body)
    other = send(resident(device="someone-else"), body)
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json()["token"] == first.json()["token"]
    assert "token" not in other.json()
    assert Observation.objects.count() == ResidentReport.objects.count() == 1


@pytest.mark.parametrize(
    ("properties", "field"),
    [
        ({"category": "no_such"}, "category"),
        ({"email": "not an address"}, "email"),
        ({"language": "de"}, "language"),
        ({"walk": 1}, "walk"),
        ({"visibility": "public"}, "visibility"),
    ],
)
def test_bad_input_is_a_400_that_names_it_and_stores_nothing(municipality, properties, field):
    answer = send(resident("en"), feature(**properties))
    assert answer.status_code == 400
    assert field in answer.json()
    assert not Observation.objects.exists()


def test_a_point_outside_every_municipality_is_refused(municipality):
    answer = send(resident("en"), feature(lon=10.0, lat=10.0))
    assert answer.status_code == 400
    assert "geometry" in answer.json()
    assert not Observation.objects.exists()


def test_a_report_takes_up_to_three_photos_moderated_with_it(municipality, public, planner):
    token = report()["token"]
    answers = [photo(resident(), token, jpeg((i * 60, 0, 0))).status_code for i in range(4)]
    assert answers == [201, 201, 201, 409]
    stored = Observation.objects.get()
    assert stored.photos.count() == 3
    assert public.get(f"/api/v1/observations/{stored.pk}/photos/").status_code == 404

    assert moderate(planner, stored, "accept").status_code == 200
    assert len(public.get(f"/api/v1/observations/{stored.pk}/photos/").json()) == 3
    # Looked at: no more photos.
    assert photo(resident(), token, jpeg((1, 2, 3))).status_code == 409


def moderate(client, observation, action, **data):
    return client.post(
        f"/api/v1/observations/{observation.pk}/moderation/",
        json.dumps({"action": action, **data}),
        content_type="application/json",
    )


def test_accepting_publishes_it_as_written(municipality, public, lighting_staff):
    answer = report(description="Pimeä kulma")
    stored = Observation.objects.get()
    assert moderate(lighting_staff, stored, "accept").status_code == 200

    [shown] = public.get("/api/v1/observations/").json()["features"]
    assert shown["properties"]["description"] == "Pimeä kulma"
    assert shown["properties"]["source"] == "resident"
    assert public.get(f"{URL}{answer['token']}/").json()["moderation"] == "accepted"


def test_staff_of_another_unit_may_not_moderate_it(municipality, streets_staff):
    report()
    assert moderate(streets_staff, Observation.objects.get(), "accept").status_code == 403
    assert Observation.objects.get().moderation == Moderation.PENDING


def test_hiding_the_text_keeps_the_point_and_the_text_only_for_staff(municipality, public, planner):
    report(description="Naapurin nimi ja puhelinnumero", proposed_fix="Soita hänelle")
    stored = Observation.objects.get()
    assert moderate(planner, stored, "hide_text").status_code == 200

    stored.refresh_from_db()
    assert (stored.description, stored.proposed_fix) == ("", "")
    assert "Naapurin nimi" in stored.hidden_text
    page = public.get("/api/v1/observations/").content.decode()
    assert public.get("/api/v1/observations/").json()["count"] == 1
    assert "Naapurin" not in page and "Soita" not in page


def test_rejecting_needs_a_reason_the_resident_sees(municipality, public, planner):
    token = report(description="Testi")["token"]
    stored = Observation.objects.get()
    assert moderate(planner, stored, "reject").status_code == 400
    assert moderate(planner, stored, "reject", reason="Ei kunnan asia").status_code == 200

    follow = public.get(f"{URL}{token}/").json()
    assert follow["status"] == "rejected"
    assert follow["history"][-1]["note"] == "Ei kunnan asia"
    assert public.get("/api/v1/observations/").json()["count"] == 0


def test_only_residents_reports_are_moderated(make_observation, planner):
    walk_one = make_observation()
    assert moderate(planner, walk_one, "accept").status_code == 409


def test_marking_a_duplicate_adds_a_supporter_to_the_original(make_observation, planner):
    original = make_observation(source=Source.WALK)
    report()
    repeat = Observation.objects.get(source=Source.RESIDENT)
    answer = moderate(planner, repeat, "duplicate", duplicate_of=original.pk)
    assert answer.status_code == 200, answer.content
    repeat.refresh_from_db()
    original.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of, original.support_count) == (
        Status.DUPLICATE,
        original,
        1,
    )


def test_a_report_20_m_from_an_open_one_of_the_theme_is_offered_and_supported(
    make_observation, public, planner
):
    original = make_observation("lamp_out", at=WEST, description="Valo rikki")
    far = make_observation("lamp_out", at=(WEST[0] + 0.01, WEST[1]))  # ~550 m east
    make_observation("pothole", at=WEST)  # another theme
    make_observation("lamp_out", at=WEST, status=Status.RESOLVED)  # not open
    nearby = public.get(
        f"{URL}nearby/",
        {"lon": TWENTY_M_NORTH[0], "lat": TWENTY_M_NORTH[1], "category": "dark_spot"},
    )
    assert nearby.status_code == 200, nearby.content
    assert [each["id"] for each in nearby.json()] == [original.pk]
    assert 15 < nearby.json()[0]["distance_m"] < 25
    assert far.pk not in [each["id"] for each in nearby.json()]

    before = Observation.objects.count()
    support = {"uuid": str(uuid.uuid4()), "observation": original.pk}
    first = resident().post(f"{URL}support/", support, format="json")
    again = resident().post(f"{URL}support/", support, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["supporters"] == again.json()["supporters"] == 1
    assert Observation.objects.count() == before
    original.refresh_from_db()
    assert original.support_count == Support.objects.count() == 1
    staff_view = planner.get(f"/api/v1/observations/{original.pk}/").json()
    assert staff_view["properties"]["support_count"] == 1


def test_nothing_waiting_for_moderation_is_offered_or_supported(make_observation, public):
    report()
    pending = Observation.objects.get()
    nearby = public.get(f"{URL}nearby/", {"lon": WEST[0], "lat": WEST[1], "category": "lamp_out"})
    assert nearby.json() == []
    answer = resident().post(
        f"{URL}support/", {"uuid": str(uuid.uuid4()), "observation": pending.pk}, format="json"
    )
    assert answer.status_code == 404
    assert not Support.objects.exists()


def test_a_status_change_emails_the_resident_in_their_language(
    municipality, public, planner, django_capture_on_commit_callbacks
):
    token = report(resident("sv"), email="invanare@example.se")["token"]
    stored = Observation.objects.get()
    moderate(planner, stored, "accept")
    assert mail.outbox == []  # accepting is no status change
    with django_capture_on_commit_callbacks(execute=True):
        stored.change_status(Status.CONFIRMED)
    with django_capture_on_commit_callbacks(execute=True):
        stored.change_status(Status.RESOLVED)

    assert [m.to for m in mail.outbox] == [["invanare@example.se"]] * 2
    message = mail.outbox[-1]
    assert "åtgärdad" in message.subject.lower() or "åtgärdad" in message.body.lower()
    assert f"/report/follow/{token}/" in message.body
    assert f"/report/unsubscribe/{token}/" in message.body
    page = public.get(f"/report/follow/{token}/").content.decode()
    assert 'data-status="resolved"' in page
    assert 'lang="sv"' in page


def test_a_mail_server_that_refuses_is_logged_and_the_status_change_stays(
    municipality, planner, settings, caplog, django_capture_on_commit_callbacks
):
    report(email="asukas@example.fi")
    stored = Observation.objects.get()
    moderate(planner, stored, "accept")
    # A real SMTP connection to a port where nothing listens: the server refuses it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        stored.change_status(Status.CONFIRMED)

    assert Observation.objects.get().status == Status.CONFIRMED
    [record] = [r for r in caplog.records if r.name == "walks.reports"]
    assert record.levelname == "ERROR"
    assert str(ResidentReport.objects.get().pk) in record.getMessage()


def test_unsubscribing_stops_the_emails(municipality, public, django_capture_on_commit_callbacks):
    token = report(email="asukas@example.fi")["token"]
    # A mail scanner following the link changes nothing; the button does.
    assert public.get(f"/report/unsubscribe/{token}/").status_code == 200
    assert ResidentReport.objects.get().notify
    assert public.post(f"/report/unsubscribe/{token}/").status_code == 200
    assert not ResidentReport.objects.get().notify
    with django_capture_on_commit_callbacks(execute=True):
        Observation.objects.get().change_status(Status.CONFIRMED)
    assert mail.outbox == []


def test_an_unknown_token_is_a_404(db, public):
    assert public.get(f"{URL}nothing-like-this/").status_code == 404
    assert public.get("/report/follow/nothing-like-this/").status_code == 404


def test_a_rejected_report_is_published_only_after_it_is_reopened(municipality, public, planner):
    report(description="Toinen katse")
    stored = Observation.objects.get()
    assert moderate(planner, stored, "reject", reason="Epäselvä").status_code == 200
    assert moderate(planner, stored, "accept").status_code == 409
    assert public.get("/api/v1/observations/").json()["count"] == 0

    stored.refresh_from_db()
    stored.change_status(Status.NEW, note="Katsotaan uudelleen")
    stored.refresh_from_db()
    assert stored.moderation == Moderation.PENDING
    assert moderate(planner, stored, "accept").status_code == 200
    assert public.get("/api/v1/observations/").json()["count"] == 1
