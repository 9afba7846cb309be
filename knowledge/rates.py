# SPDX-License-Identifier: EUPL-1.2
"""Incidents per district and year beside the population of the same year: what the district
picture shows of the knowledge base (analysis.incidents hides the small counts from the
public).

The population is the area statistic named POPULATION of the same year
(`manage.py import_area_statistics … --name population`), never another year's: a rate
per 1,000 residents of 2016 divides by the residents of 2016. Without it the rate is null.
"""

from django.db.models import Max, Q, Sum

from knowledge.models import AreaStatistic, Incident, IncidentKind

POPULATION = "population"


def latest_years(municipality, up_to: int) -> dict[str, int]:
    """{incident kind: the latest year up to `up_to` with incidents of it}, one statement."""
    found = (
        Incident.objects.in_municipality(municipality)
        .filter(year__lte=up_to)
        .order_by()
        .values_list("kind")
        .annotate(latest=Max("year"))
    )
    return dict(found)


def counts(municipality, kind: str, year: int) -> dict:
    """{district id or None (outside every district): (count in year, count in year − 1)}."""
    rows = (
        Incident.objects.in_municipality(municipality)
        .of_kind(kind)
        .filter(year__in=(year - 1, year))
        .order_by()
        .values("district")
        .annotate(
            now=Sum("count", filter=Q(year=year), default=0),
            before=Sum("count", filter=Q(year=year - 1), default=0),
        )
    )
    return {row["district"]: (row["now"], row["before"]) for row in rows}


def populations(municipality, year: int) -> dict[int, float]:
    """{district id: population in the year}, for the districts that have one."""
    rows = AreaStatistic.objects.in_municipality(municipality).named(POPULATION).filter(year=year)
    return dict(rows.values_list("district", "value"))


def rate_per_1000(count, population):
    return count / population * 1000 if count is not None and population else None


def kind_name(kind: str) -> str:
    return str(IncidentKind(kind).label)
