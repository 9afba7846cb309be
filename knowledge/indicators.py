# SPDX-License-Identifier: EUPL-1.2
"""An indicator's yearly series, computed in PostgreSQL, and the figures a plan shows.

Each kind is one grouped query: incidents sum their counts by year; observations count by
the local year they were observed (walks/filters.py applied as on every other surface,
duplicates and rejected ones left out, as the district picture does); the fixed share is
the per cent of a theme's observations of the year whose first move to a fixed status came
within N days; an area statistic sums its districts' figures; a hand-entered indicator is
its IndicatorValue rows. A survey indicator is the mean answer of each year's resident
survey, worked out where the survey results are (analysis.indicators: the layer above this
one, whose suppression of small areas it keeps). Count series are 0, not missing, in the
years between the first and the last of the data they count from (a district with no
accidents in 2013 had 0).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models import DateTimeField as DateTimeOutput
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.module_loading import import_string

from knowledge.models import AreaStatistic, Incident, Indicator, IndicatorKind
from walks.filters import apply_filters
from walks.models import FIXED_STATUSES, Category, Observation, Status, StatusChange

NOT_COUNTED = (Status.DUPLICATE, Status.REJECTED)


def _filled(values: dict[int, float], years) -> dict[int, float]:
    """The series with 0 in each year from the first to the last of `years`."""
    years = list(years)
    if not years:
        return dict(values)
    return {year: values.get(year, 0) for year in range(min(years), max(years) + 1)}


def _incidents(indicator, observations):
    """One pass: every year of the kind (and source) in the municipality, summing only the
    district's incidents when the indicator has one (0 in the years it had none)."""
    rows = Incident.objects.in_municipality(indicator.municipality).of_kind(indicator.incident_kind)
    if indicator.source:
        rows = rows.from_source(indicator.source)
    inside = Q(district=indicator.district_id) if indicator.district_id else Q()
    total = Coalesce(Sum("count", filter=inside), 0)
    counted = rows.order_by().values("year").annotate(total=total)
    values = dict(counted.values_list("year", "total"))
    return _filled(values, values)


def _observations(indicator, observations):
    """The indicator's observations among `observations`, with `observed_year` (local)."""
    rows = (
        observations.in_municipality(indicator.municipality)
        .exclude(status__in=NOT_COUNTED)
        .annotate(observed_year=ExtractYear("observed_at"))
    )
    return rows if not indicator.district_id else rows.in_district(indicator.district_id)


def _observed_years(indicator, observations) -> list[int]:
    """The local years of the first and the last observation counted from (none: []).

    One probe per category of the index on (category, observed_at), oldest and newest
    first, instead of a pass over every observation: at a million rows the pass costs as
    much again as the count itself (bench/knowledge.py).
    """
    rows = _observations(indicator, observations).filter(category=OuterRef("pk"))

    def edge(order):
        return Subquery(rows.order_by(order).values("observed_at")[:1])

    per_category = Category.objects.order_by().annotate(
        first=edge("observed_at"), last=edge("-observed_at")
    )
    moments = [m for pair in per_category.values_list("first", "last") for m in pair if m]
    if not moments:
        return []
    return [timezone.localtime(moment).year for moment in (min(moments), max(moments))]


def _observation_counts(indicator, observations):
    rows = apply_filters(_observations(indicator, observations), indicator.parsed_filters())
    counted = rows.order_by().values("observed_year").annotate(n=Count("pk"))
    values = dict(counted.values_list("observed_year", "n"))
    return _filled(values, [*values, *_observed_years(indicator, observations)])


def _fixed_share(indicator, observations):
    deadline = ExpressionWrapper(
        OuterRef("observed_at") + timedelta(days=indicator.days), output_field=DateTimeOutput()
    )
    fixed_in_time = StatusChange.objects.filter(
        observation=OuterRef("pk"), to_status__in=FIXED_STATUSES, changed_at__lte=deadline
    )
    rows = (
        _observations(indicator, observations)
        .in_theme(indicator.theme.code)
        .annotate(fixed=Exists(fixed_in_time))
        .order_by()
        .values("observed_year")
        .annotate(total=Count("pk"), fixed_count=Count("pk", filter=Q(fixed=True)))
    )
    return {
        row["observed_year"]: 100.0 * row["fixed_count"] / row["total"]
        for row in rows
        if row["total"]
    }


def _area_statistic(indicator, observations):
    rows = AreaStatistic.objects.in_municipality(indicator.municipality).named(indicator.statistic)
    if indicator.district_id:
        rows = rows.filter(district=indicator.district_id)
    return dict(rows.values("year").annotate(total=Sum("value")).values_list("year", "total"))


def _manual(indicator, observations):
    return dict(indicator.values.values_list("year", "value"))


SERIES = {
    IndicatorKind.INCIDENTS: _incidents,
    IndicatorKind.OBSERVATIONS: _observation_counts,
    IndicatorKind.FIXED_SHARE: _fixed_share,
    IndicatorKind.AREA_STATISTIC: _area_statistic,
    IndicatorKind.MANUAL: _manual,
}
# Kinds computed in a higher layer, named by path (this layer may not import it).
SERIES_ABOVE = {IndicatorKind.SURVEY: "analysis.indicators.survey_series"}


def series(indicator: Indicator, observations=None) -> dict[int, float]:
    """{year: value}, oldest year first. `observations` are those the reader may count
    (a public page: Observation.objects.readable_by(None)); by default all of them."""
    if observations is None:
        observations = Observation.objects.all()
    compute = SERIES.get(indicator.kind) or import_string(SERIES_ABOVE[indicator.kind])
    return dict(sorted(compute(indicator, observations).items()))


@dataclass(frozen=True)
class Figures:
    """What a plan shows of an indicator: the baseline before the work began, and now."""

    baseline_year: int | None
    baseline: float | None
    current_year: int | None
    current: float | None


def figures(indicator: Indicator, since_year: int, observations=None) -> Figures:
    """The baseline is the last year before `since_year` (the year the action or plan
    began), or the first year of the series when it begins later; current is its last."""
    values = series(indicator, observations)
    if not values:
        return Figures(None, None, None, None)
    before = [year for year in values if year < since_year]
    baseline_year = before[-1] if before else next(iter(values))
    current_year = next(reversed(values))
    return Figures(baseline_year, values[baseline_year], current_year, values[current_year])
