# SPDX-License-Identifier: EUPL-1.2
"""Photo files on disk follow their rows: removed once a delete commits, orphans listed.

A Photo row goes when it is deleted itself or, far more often, with its observation, its
walk or its municipality, through a cascade or a QuerySet delete that never calls
Photo.delete(). Django sends post_delete for every row a cascade removes, so the receiver
below is the one place that sees them all. The files go only after the transaction
commits: a rolled-back delete keeps both the row and its files.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from walks.models import Photo

PHOTO_FOLDER = "photos"


def _remove_unreferenced(storage, names: list[str]) -> None:
    # A file name that another Photo row holds (one stored since) is left alone.
    held = set(
        Photo.objects.filter(Q(image__in=names) | Q(thumbnail__in=names)).values_list(
            "image", "thumbnail"
        )
    )
    held = {name for pair in held for name in pair}
    for name in names:
        if name not in held:
            storage.delete(name)


@receiver(post_delete, sender=Photo, dispatch_uid="walks.media.remove_photo_files")
def remove_files_on_commit(sender, instance: Photo, using: str, **kwargs) -> None:
    names = [field.name for field in (instance.image, instance.thumbnail) if field]
    if names:
        storage = instance.image.storage
        transaction.on_commit(lambda: _remove_unreferenced(storage, names), using=using)


def photo_files(storage=default_storage) -> Iterator[str]:
    """Every file below the photo folder, as the name a Photo would hold."""
    root = Path(storage.path(PHOTO_FOLDER))
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.relative_to(storage.path("")).as_posix()


def orphan_photo_files(
    *,
    older_than: timedelta = timedelta(hours=1),
    storage=default_storage,
    progress: Callable[[int], None] | None = None,
    every: int = 1000,
) -> tuple[int, list[str]]:
    """(files checked, files in the photo folder that no Photo refers to, in name order).

    Files younger than `older_than` are skipped: an upload writes its files a moment before
    its row commits, and must not look like an orphan in between.
    """
    held = set()
    for image, thumbnail in Photo.objects.values_list("image", "thumbnail").iterator():
        held.update((image, thumbnail))
    cutoff = timezone.now() - older_than
    checked, orphans = 0, []
    for checked, name in enumerate(photo_files(storage), start=1):
        if progress and checked % every == 0:
            progress(checked)
        if name in held:
            continue
        modified = datetime.fromtimestamp(Path(storage.path(name)).stat().st_mtime, tz=UTC)
        if modified <= cutoff:
            orphans.append(name)
    return checked, orphans
