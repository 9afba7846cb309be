# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_incidents PATH --municipality 091 --kind traffic_accident --date-field …`"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from geo.importers import BoundaryImportError, print_progress
from geo.management.base import BoundaryImportCommand
from knowledge.incidents import PROGRESS_EVERY, Fields, import_incidents, incident_summary
from knowledge.models import IncidentKind


class Command(BoundaryImportCommand):
    @property
    def help(self):
        return _(
            "Import an official point file of incidents (GeoJSON, GeoPackage, Shapefile, or CSV "
            "with --x-field and --y-field) into one municipality, replacing the incidents of "
            "the same source and years; each gets its district."
        )

    def add_arguments(self, parser):
        self.add_file_arguments(parser)
        self.add_municipality_argument(parser)
        parser.add_argument(
            "--kind", required=True, choices=IncidentKind.values, help=_("what the file holds")
        )
        parser.add_argument(
            "--date-field",
            required=True,
            help=_("field with the date (dd.mm.yyyy or yyyy-mm-dd) or only the year"),
        )
        parser.add_argument(
            "--count-field", help=_("field with the number of events of the row (default 1)")
        )
        parser.add_argument(
            "--source",
            help=_("name of the source; a new import replaces its years (default: the file name)"),
        )
        parser.add_argument("--x-field", help=_("field with the x coordinate (easting, longitude)"))
        parser.add_argument("--y-field", help=_("field with the y coordinate (northing, latitude)"))

    def handle(self, *args, **options):
        fields = Fields(
            date=options["date_field"],
            count=options["count_field"],
            x=options["x_field"],
            y=options["y_field"],
        )
        progress = print_progress(self.stdout, PROGRESS_EVERY) if options["verbosity"] else None
        try:
            result = import_incidents(
                options["path"],
                municipality_code=options["municipality"],
                kind=options["kind"],
                fields=fields,
                source=options["source"],
                layer=options["layer"],
                source_crs=options["source_crs"],
                progress=progress,
            )
        except BoundaryImportError as error:
            raise CommandError(str(error)) from error
        for line in incident_summary(result):
            self.stdout.write(line)
