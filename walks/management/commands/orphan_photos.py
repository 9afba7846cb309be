# SPDX-License-Identifier: EUPL-1.2
"""`manage.py orphan_photos [--delete]`: photo files on disk that no Photo refers to."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from walks.media import orphan_photo_files


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "List the files in the photo folder of MEDIA_ROOT that no photo in the database "
            "refers to (left by an interrupted upload or an older version); with --delete, "
            "remove them."
        )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help=_("remove the files listed"))
        parser.add_argument(
            "--older-than",
            type=int,
            default=60,
            metavar="MINUTES",
            help=_(
                "only files older than this many minutes, so that an upload in progress is "
                "not taken for an orphan (default %(default)s)"
            ),
        )

    def handle(self, *args, **options):
        minutes = options["older_than"]
        if minutes < 0:
            raise CommandError(
                _("--older-than must be zero or more minutes, not %(minutes)s.")
                % {"minutes": minutes}
            )

        def progress(checked):
            self.stdout.write(_("Checked %(count)d files…") % {"count": checked})

        checked, orphans = orphan_photo_files(
            older_than=timedelta(minutes=minutes),
            progress=progress if options["verbosity"] else None,
        )
        size = 0
        for name in orphans:
            size += default_storage.size(name)
            self.stdout.write(default_storage.path(name))
            if options["delete"]:
                default_storage.delete(name)
        self.stdout.write(
            ngettext("Checked %(count)d file.", "Checked %(count)d files.", checked)
            % {"count": checked}
        )
        counts = {"count": len(orphans), "megabytes": f"{size / 1_000_000:.1f}"}
        if options["delete"]:
            line = ngettext(
                "Deleted %(count)d orphaned photo file (%(megabytes)s MB).",
                "Deleted %(count)d orphaned photo files (%(megabytes)s MB).",
                len(orphans),
            )
        else:
            line = ngettext(
                "Found %(count)d orphaned photo file (%(megabytes)s MB); "
                "run again with --delete to remove it.",
                "Found %(count)d orphaned photo files (%(megabytes)s MB); "
                "run again with --delete to remove them.",
                len(orphans),
            )
        self.stdout.write(line % counts)
