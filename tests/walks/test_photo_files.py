# SPDX-License-Identifier: EUPL-1.2
# ruff: noqa: F811  the fixtures of test_photos, imported, are parameters by the same names
"""Photo files leave the disk with their rows, once the delete commits; orphans are listed.

The test transaction never commits, so `django_capture_on_commit_callbacks` runs the
callbacks a commit would run: those of a rolled-back savepoint are dropped, as at a real
rollback.
"""

import os
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from rest_framework.test import APIClient

from tests.walks.test_photos import (  # noqa: F401  fixtures are found by name
    english,
    halves,
    jpeg_bytes,
    media_root,
    observation,
    stored_files,
    upload,
)
from walks.models import Observation, Photo
from walks.photos import store_photo

DAY = 24 * 3600


def two_photos(observation):
    store_photo(observation, upload(jpeg_bytes()))
    store_photo(observation, upload(jpeg_bytes(halves(left=(0, 255, 0)))))
    return Photo.objects.filter(observation=observation)


def test_deleting_an_observation_leaves_no_file(
    observation, media_root, django_capture_on_commit_callbacks
):
    two_photos(observation)
    assert len(stored_files(media_root)) == 4  # two photos, two thumbnails

    with django_capture_on_commit_callbacks(execute=True):
        observation.delete()

    assert stored_files(media_root) == []


def test_the_files_stay_until_the_delete_commits(
    observation, media_root, django_capture_on_commit_callbacks
):
    two_photos(observation)
    with django_capture_on_commit_callbacks() as callbacks:
        observation.delete()
        assert len(stored_files(media_root)) == 4

    assert len(stored_files(media_root)) == 4  # not committed yet
    for callback in callbacks:
        callback()
    assert stored_files(media_root) == []


def test_a_rolled_back_delete_keeps_the_files(
    observation, media_root, django_capture_on_commit_callbacks
):
    two_photos(observation)
    before, pk = stored_files(media_root), observation.pk

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        observation.delete()
        raise RuntimeError("something later in the same transaction failed")

    assert callbacks == []
    assert stored_files(media_root) == before
    assert Photo.objects.filter(observation_id=pk).count() == 2


def test_deleting_one_photo_removes_only_its_files(
    observation, media_root, django_capture_on_commit_callbacks
):
    first, second = two_photos(observation)

    with django_capture_on_commit_callbacks(execute=True):
        first.delete()

    assert [p.name for p in stored_files(media_root)] == sorted(
        os.path.basename(name) for name in (second.image.name, second.thumbnail.name)
    )


def test_a_queryset_delete_removes_the_photo_files_of_every_observation(
    observation, media_root, django_capture_on_commit_callbacks
):
    # Admin bulk actions and clean-ups delete many at once, never calling Photo.delete().
    two_photos(observation)

    with django_capture_on_commit_callbacks(execute=True):
        Observation.objects.filter(walk=observation.walk).delete()

    assert not Observation.objects.filter(pk=observation.pk).exists()
    assert stored_files(media_root) == []


def test_the_same_photo_on_another_observation_keeps_its_own_files(
    observation, media_root, django_capture_on_commit_callbacks
):
    other = Observation.objects.create(
        municipality=observation.municipality,
        geom=observation.geom,
        category=observation.category,
    )
    store_photo(observation, upload(jpeg_bytes()))
    kept, _created = store_photo(other, upload(jpeg_bytes()))

    with django_capture_on_commit_callbacks(execute=True):
        observation.delete()

    assert sorted(p.name for p in stored_files(media_root)) == sorted(
        os.path.basename(name) for name in (kept.image.name, kept.thumbnail.name)
    )
    assert kept.image.storage.exists(kept.image.name)


def test_a_participant_deleting_their_point_through_the_api_leaves_no_file(
    observation, media_root, django_capture_on_commit_callbacks
):
    two_photos(observation)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Participant {observation.participant.key}")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/v1/observations/{observation.pk}/")

    assert response.status_code == 204, response.content
    assert stored_files(media_root) == []


# manage.py orphan_photos


def orphan(media_root, name="ab/abcdef.jpg", *, age=DAY):
    path = media_root / "photos" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8 not referenced")
    past = time.time() - age
    os.utime(path, (past, past))
    return path


def run(*args):
    out = StringIO()
    call_command("orphan_photos", *args, stdout=out)
    return out.getvalue()


def test_the_command_lists_an_orphan_and_not_the_photos_in_use(observation, media_root):
    two_photos(observation)
    lost = orphan(media_root)

    output = run()

    assert str(lost) in output
    for photo in Photo.objects.all():
        assert photo.image.name not in output and photo.thumbnail.name not in output
    assert "Checked 5 files." in output
    assert "Found 1 orphaned photo file (0.0 MB); run again with --delete" in output
    assert lost.exists()  # listed, not removed


def test_the_command_deletes_orphans_only_with_delete(observation, media_root):
    two_photos(observation)
    lost = orphan(media_root)

    output = run("--delete")

    assert "Deleted 1 orphaned photo file" in output
    assert not lost.exists()
    assert len(stored_files(media_root)) == 4


def test_the_command_leaves_a_file_an_upload_may_be_about_to_claim(media_root, db):
    fresh = orphan(media_root, age=60)
    old = orphan(media_root, "cd/cdef.jpg")

    output = run("--delete")

    assert fresh.exists() and not old.exists()
    assert "Deleted 1 orphaned photo file" in output
    assert str(fresh) in run("--older-than", "0")


def test_the_command_says_when_there_is_nothing(media_root, db):
    assert "Found 0 orphaned photo files" in run()


def test_the_command_refuses_a_negative_age(media_root, db):
    with pytest.raises(CommandError, match="--older-than must be zero or more"):
        run("--older-than", "-5")
