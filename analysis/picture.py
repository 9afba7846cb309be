# SPDX-License-Identifier: EUPL-1.2
"""The district picture (*lägesbild*): per district and theme, what was found and what was done.

Every figure is computed in PostGIS: one GROUP BY district × theme, a single pass over the
observations of both periods counting each class of them (period, positive or not,
status), whose figures that add up (counts, sums) Python sums to the districts', themes'
and whole's; the days to resolve of the few
observations with a resolved history row in one more statement, whose medians Python takes
with percentile_cont's arithmetic. Python also divides by the population and hides small
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
small, the figures that use it are null and `previous_suppressed` is true. Since a
district's themes add up to its total, and the districts with the part outside them to the
municipality's row, one hidden cell in such a line could be worked out from the others;
complementary_suppression hides more cells (every figure of them: each figure that adds up
does so along the same lines) until no line has exactly one hidden cell, in the previous
period too. A district's picture and a picture narrowed to one theme hide what the whole
municipality's picture of every theme hides.
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from walks.models import (
    FIXED_STATUSES,
    OPEN_STATUSES,
    Category,
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


def median(values: list[float]) -> float | None:
    """PostgreSQL's percentile_cont(0.5), the same arithmetic: halfway between the middle two
    when they are even (first + (second − first) × 0.5)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = (len(ordered) - 1) / 2
    low = math.floor(middle)
    if low == middle:
        return ordered[low]
    return ordered[low] + (ordered[low + 1] - ordered[low]) * (middle - low)


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


def resolved_changes():
    """The history rows that moved an observation to resolved."""
    return StatusChange.objects.filter(to_status=Status.RESOLVED)


def resolved_at():
    """When the observation was last moved to resolved, from its history; null without
    such a row. Looked up only for observations that have one (a hashed set of the few
    history rows), not once for every resolved observation of a million."""
    last = Subquery(
        resolved_changes()
        .filter(observation=OuterRef("pk"))
        .order_by("-changed_at", "-pk")
        .values("changed_at")[:1]
    )
    having = resolved_changes().values("observation")
    return Case(When(pk__in=having, then=last), default=None, output_field=DateTimeField())


def counted(observations: ObservationQuerySet, period: Period) -> ObservationQuerySet:
    """Both periods' observations that count, with when each was resolved."""
    return (
        observations.observed_between(period.previous_start, period.end)
        .exclude(status__in=NOT_COUNTED)
        .annotate(resolved_at=resolved_at())
        .order_by()
    )


# The grouping keys of a picture that counts() finds in Python.
CATEGORY, THEME = "category", "category__theme"

ADDITIVE = (
    "problems",
    "positive",
    "open",
    "resolved",
    "severity_weighted",
    "previous_problems",
    "previous_observations",
)


def counts(observations: ObservationQuerySet, period: Period, *keys: str) -> dict[tuple, dict]:
    """The ADDITIVE figures for each value of keys: one pass over the observations.

    PostgreSQL groups by the keys and by what decides each figure (in the period or before
    it, the category, the observation's own positive flag, the status) with a count and a
    severity sum only, and Python adds those classes up into the figures, the category
    giving the theme and whether it is positive: a few rows a key, without a FILTER clause
    per figure over a million observations."""
    moment = ObservationQuerySet._local_moment
    categories = {c.pk: c for c in Category.objects.only("pk", "theme_id", "is_positive")}
    # "category__theme" is found from the category, in Python.
    grouped_by = [CATEGORY if key == THEME else key for key in keys]
    classes = (
        counted(observations, period)
        .annotate(
            in_period=ExpressionWrapper(
                Q(observed_at__gte=moment(period.start)), output_field=BooleanField()
            )
        )
        .values(*dict.fromkeys([*grouped_by, CATEGORY]), "in_period", "is_positive", "status")
        .annotate(
            n=Count("pk"),
            weight=Sum(Coalesce("severity", Value(MISSING_SEVERITY_WEIGHT))),
        )
    )
    table = {} if keys else {(): dict.fromkeys(ADDITIVE, 0)}
    for row in classes:
        category = categories[row[CATEGORY]]
        key = tuple(category.theme_id if name == THEME else row[name] for name in keys)
        figures = table.setdefault(key, dict.fromkeys(ADDITIVE, 0))
        n = row["n"]
        problem = not (row["is_positive"] or category.is_positive)
        if not row["in_period"]:
            figures["previous_observations"] += n
            figures["previous_problems"] += n if problem else 0
        elif not problem:
            figures["positive"] += n
        else:
            figures["problems"] += n
            figures["severity_weighted"] += row["weight"]
            figures["open"] += n if row["status"] in OPEN_STATUSES else 0
            figures["resolved"] += n if row["status"] in FIXED_STATUSES else 0
    return table


def resolve_days(observations: ObservationQuerySet, period: Period, *keys: str) -> dict:
    """The days each resolved problem of the period took, by the values of keys: over the
    observations with a history row to resolved only (the others have no resolve time, and
    a negative time is left out), a few found from the history, not a pass over a million;
    one statement."""
    moment = ObservationQuerySet._local_moment
    rows = (
        counted(observations, period)
        .filter(
            pk__in=resolved_changes().values("observation"),
            observed_at__gte=moment(period.start),
            observed_at__lt=moment(period.end),
            is_positive=False,
            category__is_positive=False,
            status__in=FIXED_STATUSES,
            resolved_at__gte=F("observed_at"),
        )
        .annotate(days=DaysBetween(F("resolved_at"), F("observed_at")))
        .values_list(*keys, "days")
    )
    found = {}
    for *key, days in rows:
        found.setdefault(tuple(key), []).append(days)
    return found


def medians(days: dict, key_of=lambda key: key) -> dict[tuple, dict]:
    """median_days_to_resolve for each group key_of(key) of resolve_days' answer."""
    groups = {}
    for key, values in days.items():
        groups.setdefault(key_of(key), []).extend(values)
    return {key: {"median_days_to_resolve": median(values)} for key, values in groups.items()}


def sums(observations: ObservationQuerySet, period: Period, *keys: str) -> dict[tuple, dict]:
    """Every aggregate for each value of keys (one row, keyed (), without keys)."""
    table = counts(observations, period, *keys)
    for key, row in medians(resolve_days(observations, period, *keys)).items():
        table.setdefault(key, dict.fromkeys(ADDITIVE, 0)).update(row)
    return table


def rolled_up(table: dict, group_of) -> dict:
    """The ADDITIVE figures of table's cells summed by group_of(cell key)."""
    groups = {}
    for key, row in table.items():
        into = groups.setdefault(group_of(key), dict.fromkeys(ADDITIVE, 0))
        for name in ADDITIVE:
            into[name] += row[name]
    return groups


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


def cell(
    sums: dict | None,
    population: int | None,
    *,
    suppressed: bool = False,
    previous_suppressed: bool = False,
) -> dict:
    """One cell's figures from its sums, with what the privacy rule hides left null."""
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
    if suppressed:
        figures = dict.fromkeys(FIGURES)
    elif previous_suppressed:
        figures.update(dict.fromkeys(PREVIOUS_FIGURES))
    return {
        **figures,
        "suppressed": suppressed,
        "previous_suppressed": suppressed or previous_suppressed,
    }


def observations_in(sums: dict | None, *, previous: bool = False) -> int:
    """How many observations a cell's sums count, in the period or the previous one."""
    sums = {**EMPTY, **(sums or {})}
    if previous:
        return sums["previous_observations"]
    return sums["problems"] + sums["positive"]


def complementary_suppression(
    counts: dict, lines: Iterable[tuple[list, object]], hidden: Iterable
) -> set:
    """The cells to hide: hidden, and enough others that no hidden count can be worked out.

    counts maps each cell to its observations; each line is (members, total), cells whose
    published figures add up: a district's themes to its total, a theme's (or the totals')
    cells of every district and of the part outside them to the municipality's. A line
    with exactly one hidden cell gives it away (the total minus the shown members, or the
    sum of the members). So, going through the lines in their order and again until
    nothing changes: in a line where exactly one cell (member or total) is hidden, also
    hide the shown member with the fewest observations (the first of them in the line on
    a tie), or the total when every member is hidden. Afterwards every line has no hidden
    cell or at least two.

    It only adds to hidden, and the result depends on the counts and the lines' order
    alone: begun from what the previous period's own picture hides, the previous cells
    hide at least that (see hidden_cells).
    """
    hidden = set(hidden)
    lines = [(members, total) for members, total in lines if members]
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            if sum(key in hidden for key in (*members, total)) != 1:
                continue
            shown = [key for key in members if key not in hidden]
            hidden.add(min(shown, key=counts.__getitem__) if shown else total)
            changed = True
    return hidden


# Keys of the municipality's table besides the districts' ids (rows) and the themes' ids
# (columns): the part outside every district, the whole municipality, and the total column.
OUTSIDE, WHOLE, TOTAL = "outside", "whole", None


def lines_of(areas: list, themes: list) -> list[tuple[list, object]]:
    """The lines of the table whose figures add up (see complementary_suppression).

    First the rows (each area's themes in order and its total; the areas in order, then
    the whole), then the columns (each theme's and then the totals' cells of the areas
    in order, and the whole's).
    """
    rows = [([(area, theme) for theme in themes], (area, TOTAL)) for area in [*areas, WHOLE]]
    columns = [([(area, theme) for area in areas], (WHOLE, theme)) for theme in [*themes, TOTAL]]
    return rows + columns


def hidden_cells(table: dict, areas: list, themes: list) -> tuple[set, set]:
    """The cells of the table the public may not see: now, and in the previous period.

    areas are the districts' ids and OUTSIDE; themes the themes' ids. A cell with fewer
    than K_ANONYMITY observations is hidden, then complementary_suppression hides more.
    The previous period's cells: those its own picture hides, and those hidden now (all
    of whose figures are null), completed the same way.
    """
    lines = lines_of(areas, themes)
    keys = {key for members, total in lines for key in (*members, total)}
    now = {key: observations_in(table.get(key)) for key in keys}
    before = {key: observations_in(table.get(key), previous=True) for key in keys}
    hidden = complementary_suppression(now, lines, {key for key in keys if now[key] < K_ANONYMITY})
    previous = complementary_suppression(
        before, lines, {key for key in keys if before[key] < K_ANONYMITY}
    )
    return hidden, complementary_suppression(before, lines, previous | hidden)


def population_of(districts: Iterable) -> int | None:
    """The districts' summed population; None when any of them (or all) lacks one."""
    populations = [district.population for district in districts]
    if not populations or None in populations:
        return None
    return sum(populations)


def themes_for(theme_code: str | None) -> tuple[list[Theme], list[Theme]]:
    """The themes shown (the one asked for, or all) and all of them; one statement."""
    every = list(Theme.objects.order_by("order", "code"))
    if theme_code:
        return [theme for theme in every if theme.code == theme_code], every
    return every, every


def total_key(themes: list[Theme], theme_code: str | None):
    """The column that is an area's total: the theme's own when narrowed to it."""
    return themes[0].pk if theme_code and themes else TOTAL


def area(table: dict, key, themes, total, population, hidden=(), previous=()) -> dict:
    """An area's row of the table: a cell per theme and its total."""

    def figures(theme_key):
        at = (key, theme_key)
        return cell(
            table.get(at), population, suppressed=at in hidden, previous_suppressed=at in previous
        )

    return {
        "population": population,
        "themes": [
            {"theme": {"code": theme.code, "name": theme.name}, **figures(theme.pk)}
            for theme in themes
        ],
        "total": figures(total),
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

    observations are those the caller may read. Unsuppressed, two statements over the
    district; for the public its row of the municipality's picture, since what is hidden
    depends on the other districts too (see complementary_suppression).
    """
    if suppress_small:
        picture = municipality_picture(observations, district.municipality, period, theme=theme)
        return next(row for row in picture["districts"] if row["district"]["id"] == district.pk)
    themes, _every = themes_for(theme)
    rows = observations.in_district(district)
    if theme:
        rows = rows.in_theme(theme)
    table = {
        (district.pk, key[0]): row for key, row in sums(rows, period, "category__theme").items()
    }
    table[(district.pk, TOTAL)] = sums(rows, period)[()]
    return {
        "district": district_info(district),
        **area(table, district.pk, themes, total_key(themes, theme), district.population),
    }


def municipality_table(
    observations: ObservationQuerySet, municipality, period: Period, theme: str | None = None
) -> dict:
    """The sums keyed (district id or OUTSIDE or WHOLE, theme id or TOTAL).

    One pass over the observations counts the district × theme cells; the districts',
    themes' and whole's figures that add up are summed from them; one statement more gives
    the days to resolve of the few with a resolved history row, for every median.
    """
    rows = observations.in_municipality(municipality)
    if theme:
        rows = rows.in_theme(theme)

    def area_of(district_id):
        return OUTSIDE if district_id is None else district_id

    cells = counts(rows, period, "district", "category__theme")
    table = {(area_of(district), column): row for (district, column), row in cells.items()}
    table.update(rolled_up(table, lambda key: (key[0], TOTAL)))
    table.update(rolled_up(cells, lambda key: (WHOLE, key[1])))
    table.update(rolled_up(cells, lambda key: (WHOLE, TOTAL)))
    table.setdefault((WHOLE, TOTAL), dict.fromkeys(ADDITIVE, 0))
    days = resolve_days(rows, period, "district", "category__theme")
    for key_of in [
        lambda key: (area_of(key[0]), key[1]),
        lambda key: (area_of(key[0]), TOTAL),
        lambda key: (WHOLE, key[1]),
        lambda key: (WHOLE, TOTAL),
    ]:
        for key, row in medians(days, key_of).items():
            table.setdefault(key, dict.fromkeys(ADDITIVE, 0)).update(row)
    return table


def municipality_picture(
    observations: ObservationQuerySet,
    municipality,
    period: Period,
    *,
    theme: str | None = None,
    suppress_small: bool = True,
) -> dict:
    """Every district of the municipality, the part outside every district and the whole.

    Four statements for the figures (see municipality_table). For the public the figures
    are summed over every theme even when narrowed to one, so that exactly the cells of
    the picture of every theme are hidden: narrowing shows nothing that one hides.
    """
    themes, every = themes_for(theme)
    districts = list(municipality.districts.order_by("code", "name", "pk"))
    areas = [district.pk for district in districts] + [OUTSIDE]
    if suppress_small:
        table = municipality_table(observations, municipality, period)
        hidden, previous = hidden_cells(table, areas, [each.pk for each in every])
    else:
        table = municipality_table(observations, municipality, period, theme)
        hidden = previous = set()
    total = total_key(themes, theme)
    return {
        "districts": [
            {
                "district": district_info(district),
                **area(table, district.pk, themes, total, district.population, hidden, previous),
            }
            for district in districts
        ],
        "outside_districts": area(table, OUTSIDE, themes, total, None, hidden, previous),
        "municipality_total": area(
            table, WHOLE, themes, total, population_of(districts), hidden, previous
        ),
    }
