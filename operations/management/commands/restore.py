# SPDX-License-Identifier: EUPL-1.2
"""`manage.py restore FOLDER`: a backup into an empty database, checked against its manifest."""

from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils.translation import gettext as _

from geo.management.language import LocalizedCommand
from operations.backup import BackupError, restore_backup
from operations.management.commands.backup import summary_figures


class Command(LocalizedCommand):
    @property
    def help(self):
        return _(
            "Restore a backup made by `backup` into an empty database and the media folder, "
            "checking every checksum first and the row counts afterwards."
        )

    def add_arguments(self, parser):
        parser.add_argument("folder", help=_("the backup's folder"))
        parser.add_argument(
            "--database-url",
            help=_("the empty database to restore into (default: the configured database)"),
        )
        parser.add_argument(
            "--media-root",
            help=_("the folder for the media files (default: MEDIA_ROOT)"),
        )

    def handle(self, *args, folder, database_url, media_root, verbosity, **options):
        database = dj_database_url.parse(database_url) if database_url else connection.settings_dict
        progress = self.stdout.write if verbosity else lambda line: None
        try:
            summary = restore_backup(
                Path(folder), database, Path(media_root or settings.MEDIA_ROOT), progress
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Restored %(rows)d rows in %(tables)d tables (%(dump)s MB dump) and "
                "%(files)d media files (%(media)s MB) from %(folder)s; counts and checksums "
                "agree with the manifest."
            )
            % summary_figures(summary, folder)
        )
