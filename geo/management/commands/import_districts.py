# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_districts PATH --municipality 091 …`: one municipality's districts."""

from django.utils.translation import gettext as _

from geo.importers import import_districts
from geo.management.base import BoundaryImportCommand


class Command(BoundaryImportCommand):
    what = "districts"

    @property
    def help(self):
        return _(
            "Import or update one municipality's districts from a GeoJSON, GeoPackage, Shapefile "
            "or TopoJSON file, matched by code (or by name without --code-field), and assign its "
            "observations to the new districts."
        )

    def add_arguments(self, parser):
        self.add_file_arguments(parser)
        self.add_municipality_argument(parser)
        parser.add_argument("--name-field", required=True, help=_("field with the name"))
        parser.add_argument("--name-sv-field", help=_("field with the Swedish name"))
        parser.add_argument(
            "--code-field", help=_("field with the district code; without it, names must be unique")
        )
        parser.add_argument("--population-field", help=_("field with the population"))
        parser.add_argument(
            "--allow-outside",
            action="store_true",
            help=_(
                "import districts that lie mostly outside the municipality's boundary, with a "
                "warning naming them (without it they stop the import)"
            ),
        )

    def handle(self, *args, **options):
        self.run_import(
            import_districts,
            options,
            municipality_code=options["municipality"],
            name_field=options["name_field"],
            name_sv_field=options["name_sv_field"],
            code_field=options["code_field"],
            population_field=options["population_field"],
            allow_outside=options["allow_outside"],
        )
