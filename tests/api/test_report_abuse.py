# SPDX-License-Identifier: EUPL-1.2
"""Anonymous writes are limited: per address and per device (a 429 in the caller's
language), a honeypot, body and photo sizes. Nothing is stored for any of them."""

import io
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.api.conftest import client_with, feature
from walks.models import Observation, Photo, ResidentReport, Support

URL = "/api/v1/reports/"


@pytest.fixture(autouse=True)
def fresh_counts(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def client(language="en", device="phone-1", address="192.0.2.10"):
    made = client_with()
    made.credentials(HTTP_ACCEPT_LANGUAGE=language, HTTP_X_LYHTY_DEVICE=device)
    made.defaults["REMOTE_ADDR"] = address
    return made


def send(made, body):
    return made.post(URL, json.dumps(body), content_type="application/json")


def test_too_many_reports_from_one_address_is_a_429_in_the_callers_language(municipality, settings):
    settings.REPORT_THROTTLE_RATE = "2/hour"
    answers = [send(client("fi", device=f"phone-{n}"), feature()).status_code for n in range(3)]
    assert answers == [201, 201, 429]
    refused = send(client("sv", device="phone-9"), feature())
    assert refused.status_code == 429
    assert "För många" in refused.json()["detail"]
    assert "Retry-After" in refused
    assert Observation.objects.count() == 2


def test_too_many_reports_from_one_device_is_a_429_from_any_address(municipality, settings):
    settings.REPORT_DEVICE_THROTTLE_RATE = "2/hour"
    answers = [
        send(client("fi", address=f"192.0.2.{n}"), feature()).status_code for n in range(1, 4)
    ]
    assert answers == [201, 201, 429]
    assert "Liian monta" in send(client("fi", address="192.0.2.99"), feature()).json()["detail"]
    assert Observation.objects.count() == 2


def test_supporting_and_photos_count_against_the_same_limit(make_observation, settings):
    settings.REPORT_THROTTLE_RATE = "1/hour"
    open_one = make_observation()
    first = client().post(
        f"{URL}support/",
        {"uuid": "0b8f5a3e-2c1d-4f6a-9e7b-1a2b3c4d5e6f", "observation": open_one.pk},
        format="json",
    )
    second = client().post(
        f"{URL}support/",
        {"uuid": "1b8f5a3e-2c1d-4f6a-9e7b-1a2b3c4d5e6f", "observation": open_one.pk},
        format="json",
    )
    assert (first.status_code, second.status_code) == (201, 429)
    assert Support.objects.count() == 1


def test_reading_is_not_throttled(municipality, settings, public):
    settings.REPORT_THROTTLE_RATE = "1/hour"
    nearby = {"lon": 26.92, "lat": 60.46, "category": "lamp_out"}
    assert [public.get(f"{URL}nearby/", nearby).status_code for _ in range(3)] == [200] * 3


def test_the_honeypot_stores_nothing(municipality):
    answer = send(client(), feature(website="http://spam.example"))
    assert answer.status_code == 400
    assert "website" in answer.json()
    assert not Observation.objects.exists() and not ResidentReport.objects.exists()


def test_an_oversized_body_is_a_413_and_stores_nothing(municipality, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    answer = send(client(), feature(description="x" * 3000))
    assert answer.status_code == 413
    assert not Observation.objects.exists()


def test_an_oversized_or_broken_photo_stores_nothing(municipality, settings):
    token = send(client(), feature()).json()["token"]
    settings.PHOTO_MAX_BYTES = 1000
    out = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(out, "JPEG", quality=95)
    big = SimpleUploadedFile("big.jpg", out.getvalue(), content_type="image/jpeg")
    answer = client().post(f"{URL}{token}/photos/", {"photo": big}, format="multipart")
    assert answer.status_code == 413
    text = SimpleUploadedFile("no.jpg", b"not an image", content_type="image/jpeg")
    answer = client().post(f"{URL}{token}/photos/", {"photo": text}, format="multipart")
    assert answer.status_code == 400
    assert not Photo.objects.exists()
