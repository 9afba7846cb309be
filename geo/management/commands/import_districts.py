# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_districts PATH --municipality 091 …`: one municipality's districts."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from geo.importers import BoundaryImportError, import_districts, print_progress, summary


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Import or update one municipality's districts from a GeoJSON, GeoPackage, Shapefile "
            "or TopoJSON file, matched by code (or by name without --code-field), and assign its "
            "observations to the new districts."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("the file to import"))
        parser.add_argument(
            "--municipality", required=True, help=_("official code of the municipality, e.g. 091")
        )
        parser.add_argument("--name-field", required=True, help=_("field with the name"))
        parser.add_argument("--name-sv-field", help=_("field with the Swedish name"))
        parser.add_argument(
            "--code-field", help=_("field with the district code; without it, names must be unique")
        )
        parser.add_argument("--population-field", help=_("field with the population"))
        parser.add_argument("--layer", help=_("layer to read, if the file has several"))
        parser.add_argument(
            "--source-crs",
            help=_(
                "the file's coordinate system as an EPSG code, e.g. EPSG:3067 (overrides the file)"
            ),
        )

    def handle(self, *args, **options):
        try:
            result = import_districts(
                options["path"],
                municipality_code=options["municipality"],
                name_field=options["name_field"],
                name_sv_field=options["name_sv_field"],
                code_field=options["code_field"],
                population_field=options["population_field"],
                layer=options["layer"],
                source_crs=options["source_crs"],
                progress=print_progress(self.stdout) if options["verbosity"] else None,
            )
        except BoundaryImportError as error:
            raise CommandError(str(error)) from error
        for line in summary(result, "districts"):
            self.stdout.write(line)
