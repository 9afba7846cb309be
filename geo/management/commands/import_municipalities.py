# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_municipalities PATH --country FI …`: a national boundary file."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from geo.importers import BoundaryImportError, import_municipalities, print_progress, summary


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Import or update municipality boundaries from a GeoJSON, GeoPackage, Shapefile or "
            "TopoJSON file, matched by official code."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("the file to import"))
        parser.add_argument("--country", required=True, choices=["FI", "SE"])
        parser.add_argument("--code-field", required=True, help=_("field with the official code"))
        parser.add_argument(
            "--name-field",
            required=True,
            help=_("field with the name: Finnish for FI, Swedish for SE"),
        )
        parser.add_argument("--name-sv-field", help=_("field with the Swedish name (FI only)"))
        parser.add_argument("--layer", help=_("layer to read, if the file has several"))
        parser.add_argument(
            "--source-crs",
            help=_(
                "the file's coordinate system as an EPSG code, e.g. EPSG:3067 (overrides the file)"
            ),
        )

    def handle(self, *args, **options):
        try:
            result = import_municipalities(
                options["path"],
                country=options["country"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                name_sv_field=options["name_sv_field"],
                layer=options["layer"],
                source_crs=options["source_crs"],
                progress=print_progress(self.stdout) if options["verbosity"] else None,
            )
        except BoundaryImportError as error:
            raise CommandError(str(error)) from error
        for line in summary(result, "municipalities"):
            self.stdout.write(line)
