# SPDX-License-Identifier: EUPL-1.2
"""What the two boundary import commands share: file arguments, progress, the summary."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from geo.importers import BoundaryImportError, print_progress, summary
from geo.management.language import LocalizedCommand


class BoundaryImportCommand(LocalizedCommand):
    # "municipalities" or "districts", for the summary
    what = ""

    def add_file_arguments(self, parser):
        parser.add_argument("path", help=_("the file to import"))
        parser.add_argument("--layer", help=_("layer to read, if the file has several"))
        parser.add_argument(
            "--source-crs",
            help=_(
                "the file's coordinate system as an EPSG code, e.g. EPSG:3067 (overrides the file)"
            ),
        )

    def add_municipality_argument(self, parser):
        parser.add_argument(
            "--municipality", required=True, help=_("official code of the municipality, e.g. 091")
        )

    def run_import(self, import_function, options, **fields):
        try:
            result = import_function(
                options["path"],
                layer=options["layer"],
                source_crs=options["source_crs"],
                progress=print_progress(self.stdout) if options["verbosity"] else None,
                **fields,
            )
        except BoundaryImportError as error:
            raise CommandError(str(error)) from error
        for line in summary(result, self.what):
            self.stdout.write(line)
