# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_addresses PATH --municipality 091 --street-field …`: address points."""

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from geo.addresses import PROGRESS_EVERY, Fields, address_summary, import_addresses
from geo.importers import BoundaryImportError, print_progress
from geo.management.base import BoundaryImportCommand


class Command(BoundaryImportCommand):
    @property
    def help(self):
        return _(
            "Replace one municipality's addresses with the points of a national address or "
            "building file (GeoJSON, GeoPackage, Shapefile, or CSV with --x-field and "
            "--y-field) that lie in it; every observation of the municipality then gets its "
            "nearest address."
        )

    def add_arguments(self, parser):
        self.add_file_arguments(parser)
        self.add_municipality_argument(parser)
        parser.add_argument(
            "--street-field", required=True, help=_("field with the street name (or the address)")
        )
        parser.add_argument("--number-field", help=_("field with the house number"))
        parser.add_argument("--street-sv-field", help=_("field with the Swedish street name"))
        parser.add_argument("--postcode-field", help=_("field with the postcode"))
        parser.add_argument("--x-field", help=_("field with the x coordinate (easting, longitude)"))
        parser.add_argument("--y-field", help=_("field with the y coordinate (northing, latitude)"))

    def handle(self, *args, **options):
        fields = Fields(
            street=options["street_field"],
            number=options["number_field"],
            street_sv=options["street_sv_field"],
            postcode=options["postcode_field"],
            x=options["x_field"],
            y=options["y_field"],
        )
        progress = print_progress(self.stdout, PROGRESS_EVERY) if options["verbosity"] else None
        try:
            result = import_addresses(
                options["path"],
                municipality_code=options["municipality"],
                fields=fields,
                layer=options["layer"],
                source_crs=options["source_crs"],
                progress=progress,
            )
        except BoundaryImportError as error:
            raise CommandError(str(error)) from error
        for line in address_summary(result, settings.ADDRESS_MAX_DISTANCE_M):
            self.stdout.write(line)
