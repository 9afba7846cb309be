# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_area_statistics CSV --municipality 091 --name population`"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from geo.management.language import LocalizedCommand
from knowledge.area_statistics import (
    AreaStatisticsError,
    area_statistics_summary,
    import_area_statistics,
)


class Command(LocalizedCommand):
    @property
    def help(self):
        return _(
            "Import per-district figures by year from a CSV table keyed by district code or "
            "name, with one column per year or a year column, replacing the figures of the "
            "same name and years."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("the CSV table to import"))
        parser.add_argument(
            "--municipality", required=True, help=_("official code of the municipality, e.g. 091")
        )
        parser.add_argument("--name", required=True, help=_("what is counted, e.g. population"))
        parser.add_argument("--source", help=_("name of the source (default: the file name)"))
        parser.add_argument(
            "--district-field", help=_("column with the district code or name (default: the first)")
        )
        parser.add_argument("--year-field", help=_("column with the year, for a table in rows"))
        parser.add_argument("--value-field", help=_("column with the value, beside --year-field"))

    def handle(self, *args, **options):
        try:
            result = import_area_statistics(
                options["path"],
                municipality_code=options["municipality"],
                name=options["name"],
                source=options["source"],
                district_field=options["district_field"],
                year_field=options["year_field"],
                value_field=options["value_field"],
            )
        except AreaStatisticsError as error:
            raise CommandError(str(error)) from error
        for line in area_statistics_summary(result, options["name"].strip()):
            self.stdout.write(line)
