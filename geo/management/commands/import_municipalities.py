# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_municipalities PATH --country FI …`: a national boundary file."""

from django.utils.translation import gettext as _

from geo.importers import import_municipalities
from geo.management.base import BoundaryImportCommand


class Command(BoundaryImportCommand):
    what = "municipalities"

    @property
    def help(self):
        return _(
            "Import or update municipality boundaries from a GeoJSON, GeoPackage, Shapefile or "
            "TopoJSON file, matched by official code."
        )

    def add_arguments(self, parser):
        self.add_file_arguments(parser)
        parser.add_argument("--country", required=True, choices=["FI", "SE"])
        parser.add_argument("--code-field", required=True, help=_("field with the official code"))
        parser.add_argument(
            "--name-field",
            required=True,
            help=_("field with the name: Finnish for FI, Swedish for SE"),
        )
        parser.add_argument("--name-sv-field", help=_("field with the Swedish name (FI only)"))

    def handle(self, *args, **options):
        self.run_import(
            import_municipalities,
            options,
            country=options["country"],
            code_field=options["code_field"],
            name_field=options["name_field"],
            name_sv_field=options["name_sv_field"],
        )
