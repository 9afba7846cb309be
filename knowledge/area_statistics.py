# SPDX-License-Identifier: EUPL-1.2
"""Importing per-district figures by year from a CSV table (population, crimes per district).

A row names its district by code or by name (Finnish or Swedish, any case) in the key
column, the first unless --district-field says otherwise. The years are either columns of
their own (a header of four digits each: "2015;2016;2017") or one column named with
--year-field beside a value column named with --value-field. Empty cells and the
statistical offices' "..", "." and "-" mean no figure. Anything else that cannot be read
raises AreaStatisticsError naming the file, the row and the problem, and nothing is
stored; a new import replaces the municipality's figures of the same name and years.
"""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from geo.models import Municipality
from knowledge.models import FIRST_YEAR, LAST_YEAR, AreaStatistic

MISSING = {"", "..", ".", "-", "…"}
_YEAR = re.compile(r"^\d{4}$")


class AreaStatisticsError(Exception):
    """The table cannot be imported as it is; the message says where and why."""


@dataclass
class AreaStatisticsResult:
    imported: int = 0
    replaced: int = 0
    years: list[int] = field(default_factory=list)
    districts: int = 0


class Table:
    def __init__(self, path):
        self.path = str(path)
        try:
            raw = Path(path).read_bytes()
        except OSError:
            raise self.error(_("there is no such file, or it cannot be read.")) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = [
            row for row in csv.reader(text.splitlines(), dialect) if any(c.strip() for c in row)
        ]
        if len(rows) < 2:
            raise self.error(_("the table needs a header row and at least one row of figures."))
        self.header = [name.strip() for name in rows[0]]
        self.rows = rows[1:]

    def error(self, message, row=None):
        if row is None:
            return AreaStatisticsError(f"{self.path}: {message}")
        return AreaStatisticsError(
            f"{self.path}: " + _("row %(number)d") % {"number": row} + f": {message}"
        )

    def column(self, name):
        if name not in self.header:
            raise self.error(
                _("there is no column %(column)r; the columns are: %(columns)s.")
                % {"column": name, "columns": ", ".join(self.header)}
            )
        return self.header.index(name)


def _value(table, number, column, text):
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if text in MISSING:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise table.error(
            _("the value in column %(column)r is not a number: %(value)r.")
            % {"column": column, "value": text},
            number,
        ) from None


def _year(table, number, text):
    text = text.strip()
    if not _YEAR.match(text) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise table.error(_("the year %(value)r is not a year.") % {"value": text}, number)
    return int(text)


def _districts(municipality):
    """Key (code, or lower-case Finnish or Swedish name) -> district."""
    found = {}
    for district in municipality.districts.all():
        for name in (district.name_sv, district.name):
            if name:
                found[name.casefold()] = district
    for district in municipality.districts.exclude(code=""):
        found[district.code] = district
    return found


def read_figures(table, municipality, *, district_field=None, year_field=None, value_field=None):
    """{(district, year): value} of the table."""
    key = table.column(district_field) if district_field else 0
    if (year_field is None) != (value_field is None):
        raise table.error(_("Give both --year-field and --value-field, or neither."))
    if year_field:
        year_i, value_i = table.column(year_field), table.column(value_field)
        columns = None
    else:
        columns = [(i, int(h)) for i, h in enumerate(table.header) if _YEAR.match(h) and i != key]
        if not columns:
            raise table.error(
                _(
                    "no column is named by a year; give the year and value columns with "
                    "--year-field and --value-field."
                )
            )
    districts = _districts(municipality)
    figures = {}
    for number, row in enumerate(table.rows, start=2):
        row = row + [""] * (len(table.header) - len(row))
        name = row[key].strip()
        district = districts.get(name) or districts.get(name.casefold())
        if district is None:
            raise table.error(
                _("%(municipality)s has no district with the code or name %(name)r.")
                % {"municipality": municipality, "name": name},
                number,
            )
        if columns is None:
            cells = [(_year(table, number, row[year_i]), value_field, row[value_i])]
        else:
            cells = [(year, table.header[i], row[i]) for i, year in columns]
        for year, column, text in cells:
            value = _value(table, number, column, text)
            if value is None:
                continue
            if (district, year) in figures:
                raise table.error(
                    _("a second figure for %(district)s in %(year)d.")
                    % {"district": district, "year": year},
                    number,
                )
            figures[district, year] = value
    return figures


def import_area_statistics(
    path, *, municipality_code, name, source=None, district_field=None, year_field=None,
    value_field=None,
) -> AreaStatisticsResult:  # fmt: skip
    """Replace the municipality's figures called `name` for the table's years."""
    municipality = Municipality.objects.filter(code=municipality_code).first()
    if municipality is None:
        raise AreaStatisticsError(
            _("There is no municipality with the code %(code)r; import the municipalities first.")
            % {"code": municipality_code}
        )
    name = name.strip()
    if not name or len(name) > AreaStatistic._meta.get_field("name").max_length:
        raise AreaStatisticsError(_("The statistic needs a name of at most 100 characters."))
    table = Table(path)
    figures = read_figures(
        table,
        municipality,
        district_field=district_field,
        year_field=year_field,
        value_field=value_field,
    )
    if not figures:
        raise table.error(_("the table holds no figures."))
    source = (source or Path(path).stem)[: AreaStatistic._meta.get_field("source").max_length]
    years = sorted({year for _district, year in figures})
    with transaction.atomic():
        old = AreaStatistic.objects.in_municipality(municipality).named(name).filter(year__in=years)
        replaced, _by_model = old.delete()
        AreaStatistic.objects.bulk_create(
            AreaStatistic(district=district, name=name, year=year, value=value, source=source)
            for (district, year), value in figures.items()
        )
    return AreaStatisticsResult(
        imported=len(figures),
        replaced=replaced,
        years=years,
        districts=len({district for district, _year in figures}),
    )


def area_statistics_summary(result: AreaStatisticsResult, name: str) -> list[str]:
    return [
        ngettext(
            "Imported %(count)d figure of %(name)r for %(districts)d districts, years "
            "%(first)d–%(last)d, replacing %(replaced)d.",
            "Imported %(count)d figures of %(name)r for %(districts)d districts, years "
            "%(first)d–%(last)d, replacing %(replaced)d.",
            result.imported,
        )
        % {
            "count": result.imported,
            "name": name,
            "districts": result.districts,
            "first": result.years[0],
            "last": result.years[-1],
            "replaced": result.replaced,
        }
    ]
