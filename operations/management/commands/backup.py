# SPDX-License-Identifier: EUPL-1.2
"""`manage.py backup FOLDER`: the database and the media files, with a manifest."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from geo.management.language import LocalizedCommand
from operations.backup import BackupError, write_backup


class Command(LocalizedCommand):
    @property
    def help(self):
        return _(
            "Back up the database (pg_dump, custom format) and the media files into a new "
            "folder, with a manifest of row counts and checksums that `restore` checks."
        )

    def add_arguments(self, parser):
        parser.add_argument("folder", help=_("a new or empty folder for the backup"))

    def handle(self, *args, folder, verbosity, **options):
        progress = self.stdout.write if verbosity else lambda line: None
        try:
            summary = write_backup(folder, progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Backed up %(rows)d rows in %(tables)d tables (%(dump)s MB dump) and "
                "%(files)d media files (%(media)s MB) into %(folder)s."
            )
            % summary_figures(summary, folder)
        )


def summary_figures(summary, folder) -> dict:
    return {
        "rows": summary.rows,
        "tables": summary.tables,
        "dump": f"{summary.dump_bytes / 1_000_000:.1f}",
        "files": summary.media_files,
        "media": f"{summary.media_bytes / 1_000_000:.1f}",
        "folder": folder,
    }
