# SPDX-License-Identifier: EUPL-1.2
"""The district picture (*lägesbild*): per district and theme, what was found and what was done.

Every figure is computed in PostGIS, one GROUP BY per grouping (district × theme, district,
theme, the whole), each a single pass over the observations of both periods with FILTER
clauses. Python only puts the cells together, divides by the population and hides small
cells from the public.

What the figures mean, for a period [start, end) of local days:

- Counted are observations in the period that are not duplicates or rejected: a duplicate
  is counted once, as its original; a rejected one was never a real finding.
- `positive`: safe or pleasant places (the observation, or its category, says positive);
  `problems`: all the others. Every figure below is about problems only.
- `open` / `resolved`: problems whose status is in OPEN_STATUSES / FIXED_STATUSES now.
- `share_resolved` = resolved / problems (null without problems).
- `severity_weighted`: the sum of the problems' severities (1–5), a missing severity
  counted as MISSING_SEVERITY_WEIGHT; `rate_per_1000` = severity_weighted / population ×
  1000, null when the population is unknown or 0. An area of several districts has their
  summed population, null if any of them lacks one; outside every district it is null.
- `median_days_to_resolve`: over the resolved problems, the median of the days (fractional)
  from `observed_at` to the last history row that moved it to `resolved`
  (percentile_cont(0.5)); a resolved problem without such a row (imported as resolved) is
  left out, and so is a negative time (a device clock far ahead).
- `previous_problems`: problems in the previous period of the same length,
  [start − (end − start), start); `change` = problems − previous_problems, `change_percent`
  = change / previous_problems × 100 (null when there were none).

Privacy: a caller who does not read internal observations gets figures over what they may
read, and a cell with fewer than K_ANONYMITY observations (problems + positive) in the
period has every figure null and `suppressed` true; when the previous period's cell is that
small, the figures that use it are null and `previous_suppressed` is true.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from walks.models import (
    FIXED_STATUSES,
    OPEN_STATUSES,
    ObservationQuerySet,
    Status,
    StatusChange,
    Theme,
)

# Cells with fewer observations than this are hidden from the public.
K_ANONYMITY = 3
# A problem without a severity weighs as the middle of the 1–5 scale: neither played down
# nor up.
MISSING_SEVERITY_WEIGHT = 3
NOT_COUNTED = (Status.DUPLICATE, Status.REJECTED)

FIGURES = (
    "observations",
    "problems",
    "positive",
    "open",
    "resolved",
    "share_resolved",
    "severity_weighted",
    "rate_per_1000",
    "median_days_to_resolve",
    "previous_problems",
    "change",
    "change_percent",
)
PREVIOUS_FIGURES = ("previous_problems", "change", "change_percent")


class Median(Aggregate):
    """percentile_cont(0.5): the median, halfway between the middle two when they are even."""

    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class DaysBetween(Func):
    """(end − start) in days, with the fraction: EXTRACT(EPOCH FROM end − start) / 86400."""

    arg_joiner = " - "
    template = "(EXTRACT(EPOCH FROM (%(expressions)s))::double precision / 86400)"
    output_field = FloatField()


@dataclass(frozen=True)
class Period:
    """Local days from start (included) to end (excluded)."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def last_year(cls, today: datetime.date) -> "Period":
        """The last 12 months up to and including today."""
        try:
            start = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            start = today.replace(year=today.year - 1, day=28)
        return cls(start + datetime.timedelta(days=1), today + datetime.timedelta(days=1))

    @property
    def previous_start(self) -> datetime.date:
        return self.start - (self.end - self.start)


def resolved_at():
    """When the observation was last moved to resolved, from its history."""
    return Subquery(
        StatusChange.objects.filter(observation=OuterRef("pk"), to_status=Status.RESOLVED)
        .order_by("-changed_at", "-pk")
        .values("changed_at")[:1]
    )


def counted(observations: ObservationQuerySet, period: Period) -> ObservationQuerySet:
    """Both periods' observations that count, with when each was resolved."""
    return (
        observations.observed_between(period.previous_start, period.end)
        .exclude(status__in=NOT_COUNTED)
        .annotate(resolved_at=resolved_at())
        .order_by()
    )


def aggregates(period: Period) -> dict:
    moment = ObservationQuerySet._local_moment
    now = Q(observed_at__gte=moment(period.start), observed_at__lt=moment(period.end))
    before = Q(observed_at__lt=moment(period.start))
    positive = Q(is_positive=True) | Q(category__is_positive=True)
    problem = Q(is_positive=False, category__is_positive=False)
    days = DaysBetween(F("resolved_at"), F("observed_at"))
    resolved = now & problem & Q(status__in=FIXED_STATUSES)
    return {
        "problems": Count("pk", filter=now & problem),
        "positive": Count("pk", filter=now & positive),
        "open": Count("pk", filter=now & problem & Q(status__in=OPEN_STATUSES)),
        "resolved": Count("pk", filter=resolved),
        "severity_weighted": Coalesce(
            Sum(Coalesce("severity", Value(MISSING_SEVERITY_WEIGHT)), filter=now & problem),
            0,
        ),
        # Without a history row to resolved, resolved_at is null and the row drops out.
        "median_days_to_resolve": Median(
            days, filter=resolved & Q(resolved_at__gte=F("observed_at"))
        ),
        "previous_problems": Count("pk", filter=before & problem),
        "previous_observations": Count("pk", filter=before),
    }


def sums(observations: ObservationQuerySet, period: Period, *keys: str) -> dict[tuple, dict]:
    """The aggregates for each value of keys (one row, keyed (), without keys)."""
    rows = counted(observations, period)
    if not keys:
        return {(): rows.aggregate(**aggregates(period))}
    grouped = rows.values(*keys).annotate(**aggregates(period))
    return {tuple(row.pop(key) for key in keys): row for row in grouped}


EMPTY = {
    "problems": 0,
    "positive": 0,
    "open": 0,
    "resolved": 0,
    "severity_weighted": 0,
    "median_days_to_resolve": None,
    "previous_problems": 0,
    "previous_observations": 0,
}


def cell(sums: dict | None, population: int | None, *, suppress_small: bool) -> dict:
    """One cell's figures from its sums, with the privacy rule applied."""
    sums = {**EMPTY, **(sums or {})}
    problems, previous = sums["problems"], sums["previous_problems"]
    figures = {
        "observations": problems + sums["positive"],
        "problems": problems,
        "positive": sums["positive"],
        "open": sums["open"],
        "resolved": sums["resolved"],
        "share_resolved": sums["resolved"] / problems if problems else None,
        "severity_weighted": sums["severity_weighted"],
        "rate_per_1000": (sums["severity_weighted"] / population * 1000 if population else None),
        "median_days_to_resolve": sums["median_days_to_resolve"],
        "previous_problems": previous,
        "change": problems - previous,
        "change_percent": (problems - previous) / previous * 100 if previous else None,
    }
    suppressed = suppress_small and figures["observations"] < K_ANONYMITY
    previous_suppressed = suppress_small and sums["previous_observations"] < K_ANONYMITY
    if suppressed:
        figures = dict.fromkeys(FIGURES)
    elif previous_suppressed:
        figures.update(dict.fromkeys(PREVIOUS_FIGURES))
    return {
        **figures,
        "suppressed": suppressed,
        "previous_suppressed": suppressed or previous_suppressed,
    }


def population_of(districts: Iterable) -> int | None:
    """The districts' summed population; None when any of them (or all) lacks one."""
    populations = [district.population for district in districts]
    if not populations or None in populations:
        return None
    return sum(populations)


def themes_for(theme_code: str | None) -> list[Theme]:
    themes = Theme.objects.order_by("order", "code")
    if theme_code:
        themes = themes.filter(code=theme_code)
    return list(themes)


def area(by_theme: dict, total: dict | None, themes, population, suppress_small) -> dict:
    return {
        "population": population,
        "themes": [
            {
                "theme": {"code": theme.code, "name": theme.name},
                **cell(by_theme.get(theme.pk), population, suppress_small=suppress_small),
            }
            for theme in themes
        ],
        "total": cell(total, population, suppress_small=suppress_small),
    }


def district_info(district) -> dict:
    return {"id": district.pk, "code": district.code, "name": district.display_name}


def district_picture(
    observations: ObservationQuerySet,
    district,
    period: Period,
    *,
    theme: str | None = None,
    suppress_small: bool = True,
) -> dict:
    """One district's picture: a row per theme and the total.

    observations are those the caller may read; two statements.
    """
    themes = themes_for(theme)
    rows = observations.in_district(district)
    if theme:
        rows = rows.in_theme(theme)
    by_theme = {key[0]: row for key, row in sums(rows, period, "category__theme").items()}
    total = sums(rows, period)[()]
    return {
        "district": district_info(district),
        **area(by_theme, total, themes, district.population, suppress_small),
    }


def municipality_picture(
    observations: ObservationQuerySet,
    municipality,
    period: Period,
    *,
    theme: str | None = None,
    suppress_small: bool = True,
) -> dict:
    """Every district of the municipality, the part outside every district and the whole.

    Four statements: by district and theme, by district, by theme, and over all.
    """
    themes = themes_for(theme)
    districts = list(municipality.districts.order_by("code", "name", "pk"))
    rows = observations.in_municipality(municipality)
    if theme:
        rows = rows.in_theme(theme)
    cells = sums(rows, period, "district", "category__theme")
    by_district = sums(rows, period, "district")
    by_theme = {key[0]: row for key, row in sums(rows, period, "category__theme").items()}
    whole = sums(rows, period)[()]

    def themes_of(district_id):
        return {theme_id: row for (d, theme_id), row in cells.items() if d == district_id}

    return {
        "districts": [
            {
                "district": district_info(district),
                **area(
                    themes_of(district.pk),
                    by_district.get((district.pk,)),
                    themes,
                    district.population,
                    suppress_small,
                ),
            }
            for district in districts
        ],
        "outside_districts": area(
            themes_of(None), by_district.get((None,)), themes, None, suppress_small
        ),
        "municipality_total": area(
            by_theme, whole, themes, population_of(districts), suppress_small
        ),
    }
