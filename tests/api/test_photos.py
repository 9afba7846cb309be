# SPDX-License-Identifier: EUPL-1.2
"""The photo endpoints: who may add and see photos, idempotent retries, clear errors."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from api import photos as api_photos
from tests.api.conftest import client_with, user_client
from walks.models import Category, Photo, WalkParticipant
from walks.photos import store_photo
from walks.roles import PLANNERS_GROUP, STAFF_GROUP


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


@pytest.fixture
def walker(walk):
    return WalkParticipant.objects.create(walk=walk, group="residents")


@pytest.fixture
def other_walker(walk):
    return WalkParticipant.objects.create(walk=walk, group="youth")


@pytest.fixture
def observation(make_observation, walk, walker):
    return make_observation(walk=walk, participant=walker, visibility="internal")


@pytest.fixture
def public_observation(make_observation, walk, walker):
    return make_observation(walk=walk, participant=walker, visibility="public")


def client_for(participant=None):
    """The participant's client; without one, the public's."""
    return client_with(participant and f"Participant {participant.key}")


def jpeg(colour=(200, 30, 30), size=(640, 480)):
    exif = Image.Exif()
    exif[0x010F] = "Acme Phones"
    exif.get_ifd(0x8825)[2] = (60.0, 27.0, 36.0)
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(data, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def url(observation):
    return f"/api/v1/observations/{observation.pk}/photos/"


def post_photo(client, observation, data, name="photo.jpg"):
    return client.post(url(observation), {"photo": upload(data, name)}, format="multipart")


def test_participant_adds_a_photo_to_their_own_observation(walker, observation, media_root):
    response = post_photo(client_for(walker), observation, jpeg())

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "url", "thumbnail_url", "width", "height"}
    assert (body["width"], body["height"]) == (640, 480)
    photo = Photo.objects.get()
    assert body["id"] == photo.pk and photo.observation == observation
    assert body["url"] == f"http://testserver/api/v1/photos/{photo.pk}/image"
    assert body["thumbnail_url"] == f"http://testserver/api/v1/photos/{photo.pk}/thumbnail"
    stored = (media_root / photo.image.name).read_bytes()
    assert b"Exif" not in stored and b"Acme Phones" not in stored


def test_a_retry_answers_200_with_the_same_body(walker, observation, media_root):
    client = client_for(walker)
    data = jpeg()

    first = post_photo(client, observation, data)
    again = post_photo(client, observation, data, name="IMG_0001 (1).jpg")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Photo.objects.count() == 1
    assert len(stored_files(media_root)) == 2


def test_different_photos_are_kept_apart(walker, observation):
    client = client_for(walker)
    assert post_photo(client, observation, jpeg((200, 0, 0))).status_code == 201
    assert post_photo(client, observation, jpeg((0, 200, 0))).status_code == 201
    listed = client.get(url(observation))
    assert listed.status_code == 200
    assert len(listed.json()) == 2


def test_another_participant_cannot_add_to_an_observation(other_walker, public_observation):
    response = post_photo(client_for(other_walker), public_observation, jpeg())
    assert response.status_code == 403
    assert Photo.objects.count() == 0


def test_another_participant_does_not_see_an_internal_observation(other_walker, observation):
    client = client_for(other_walker)
    assert post_photo(client, observation, jpeg()).status_code == 404
    assert client.get(url(observation)).status_code == 404


def test_participant_cannot_add_once_the_walk_is_closed(walk, walker, observation):
    walk.state = "closed"
    walk.save()
    response = post_photo(client_for(walker), observation, jpeg())
    assert response.status_code == 403
    assert Photo.objects.count() == 0


def test_participant_sees_photos_of_their_own_internal_observation(walker, observation):
    client = client_for(walker)
    post_photo(client, observation, jpeg())
    assert len(client.get(url(observation)).json()) == 1


@pytest.mark.parametrize("group", [STAFF_GROUP, PLANNERS_GROUP])
def test_staff_and_planners_add_photos_to_any_observation(group, observation):
    town = observation.municipality
    client = user_client(group.replace(" ", "_"), group=group, municipality=town)
    response = post_photo(client, observation, jpeg())
    assert response.status_code == 201
    assert len(client.get(url(observation)).json()) == 1


def test_administrator_adds_photos(admin, observation):
    assert post_photo(admin, observation, jpeg()).status_code == 201


def test_user_without_a_role_cannot_add(public_observation):
    plain = user_client("resident")
    assert post_photo(plain, public_observation, jpeg()).status_code == 403


def test_public_sees_photos_of_public_observations_only(walker, observation, public_observation):
    for target in (observation, public_observation):
        assert post_photo(client_for(walker), target, jpeg()).status_code == 201
    anonymous = client_for()

    listed = anonymous.get(url(public_observation))
    assert listed.status_code == 200
    assert len(listed.json()) == 1
    assert anonymous.get(url(observation)).status_code == 404

    public_photo = Photo.objects.get(observation=public_observation)
    internal_photo = Photo.objects.get(observation=observation)
    assert anonymous.get(f"/api/v1/photos/{public_photo.pk}/").status_code == 200
    assert anonymous.get(f"/api/v1/photos/{internal_photo.pk}/").status_code == 404


def test_a_rejected_observation_is_no_longer_public(walker, public_observation):
    post_photo(client_for(walker), public_observation, jpeg())
    public_observation.status = "rejected"
    public_observation.save()
    assert client_for().get(url(public_observation)).status_code == 404


def test_public_does_not_see_photos_in_a_sensitive_category(walker, public_observation):
    post_photo(client_for(walker), public_observation, jpeg())
    sensitive = Category.objects.filter(is_sensitive=True).first() or Category.objects.first()
    sensitive.is_sensitive = True
    sensitive.save()
    public_observation.category = sensitive
    public_observation.save()
    assert client_for().get(url(public_observation)).status_code == 404
    assert client_for(walker).get(url(public_observation)).status_code == 200


def test_public_cannot_add(public_observation):
    response = post_photo(client_for(), public_observation, jpeg())
    assert response.status_code == 403
    assert Photo.objects.count() == 0


def test_unknown_observation_is_404(walker):
    assert client_for(walker).get("/api/v1/observations/999999/photos/").status_code == 404


def test_a_text_file_named_jpg_is_400_and_stores_nothing(walker, observation, media_root):
    response = post_photo(client_for(walker), observation, b"just some text\n" * 20, "x.jpg")

    assert response.status_code == 400
    assert response.json() == {
        "photo": ["This file is not an image. Send a photo in JPEG, PNG or WebP format."]
    }
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_an_oversized_photo_is_413_and_stores_nothing(walker, observation, media_root, settings):
    data = jpeg(size=(1200, 900))
    settings.PHOTO_MAX_BYTES = len(data) // 2

    response = post_photo(client_for(walker), observation, data)

    assert response.status_code == 413
    [message] = response.json()["photo"]
    assert "too large" in message and "MB" in message
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_an_upload_far_over_the_limit_is_not_kept_whole(walker, observation, settings, monkeypatch):
    # The upload handler stops passing data on past the limit; the answer is still 413.
    settings.PHOTO_MAX_BYTES = 1000
    seen = []

    def spy(observation, uploaded):
        seen.append(uploaded.size)
        return store_photo(observation, uploaded)

    monkeypatch.setattr(api_photos, "store_photo", spy)
    big = jpeg(size=(1600, 1200)) + b"\0" * 300_000

    response = post_photo(client_for(walker), observation, big)

    assert response.status_code == 413
    assert Photo.objects.count() == 0
    [kept] = seen
    assert 1000 < kept <= 1000 + 64 * 1024  # at most one chunk past the limit


def test_a_missing_photo_field_is_400(walker, observation):
    response = client_for(walker).post(url(observation), {}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == ["photo"]


def test_errors_are_in_the_callers_language(walker, observation):
    response = post_photo(client_for(walker), observation, b"nope", "x.jpg")
    assert "not an image" in response.json()["photo"][0]


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_streams_the_image_and_thumbnail_to_whoever_reads_the_observation(
    walker, observation, public_observation
):
    for target in (observation, public_observation):
        assert post_photo(client_for(walker), target, jpeg()).status_code == 201
    public_photo = Photo.objects.get(observation=public_observation)
    internal_photo = Photo.objects.get(observation=observation)
    planner = user_client(
        "suunnittelija", group=PLANNERS_GROUP, municipality=observation.municipality
    )

    listed = planner.get(url(observation)).json()
    image = planner.get(listed[0]["url"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert "private" in image["Cache-Control"]
    body = streamed(image)
    assert body == internal_photo.image.open("rb").read()
    assert Image.open(io.BytesIO(body)).size == (640, 480)
    thumbnail = planner.get(listed[0]["thumbnail_url"])
    assert thumbnail.status_code == 200
    small = Image.open(io.BytesIO(streamed(thumbnail)))
    assert max(small.size) < 640

    anonymous = client_for()
    for name in ("image", "thumbnail"):
        assert anonymous.get(f"/api/v1/photos/{public_photo.pk}/{name}").status_code == 200
        assert anonymous.get(f"/api/v1/photos/{internal_photo.pk}/{name}").status_code == 404
        assert (
            client_for(walker).get(f"/api/v1/photos/{internal_photo.pk}/{name}").status_code == 200
        )
        assert anonymous.get(f"/api/v1/photos/{internal_photo.pk + 99}/{name}").status_code == 404


def test_it_404s_a_photo_whose_file_is_gone(walker, public_observation, media_root):
    post_photo(client_for(walker), public_observation, jpeg())
    photo = Photo.objects.get()
    (media_root / photo.image.name).unlink()
    assert client_for().get(f"/api/v1/photos/{photo.pk}/image").status_code == 404
