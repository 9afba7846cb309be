# SPDX-License-Identifier: EUPL-1.2
"""What the plan page shows, computed from the database (the walk protocol: plans.protocol).

The plan page is a public document: it is built from what the public may read
(`Observation.objects.readable_by(None)`), with the district picture's small cells and
the heat map's cells under PUBLIC_MIN_COUNT hidden, for every reader, planners included —
a planner previewing a draft sees what the public will see. The figures (picture, maps,
fixes) are cached per municipality, period and language until the observations change
(walks.cache).
"""

import datetime
import json
from collections import Counter

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis import heatmap as heat
from analysis.heatmap import PUBLIC_MIN_COUNT, heatmap
from analysis.picture import Period, municipality_picture, resolved_at, resolved_changes
from analysis.survey import survey_indicators
from knowledge.indicators import figures
from plans import maps
from plans.models import ActionStatus
from plans.published import (
    content_for,
    count_observations,
    has_unpublished_changes,
)
from walks.cache import cached_meanwhile
from walks.filters import apply_filters
from walks.models import (
    FIXED_STATUSES,
    Observation,
    ObservationQuerySet,
    SafetyWalk,
    Source,
    Theme,
)

# The plan's heat maps use one fixed cell for the whole municipality.
PLAN_CELL = 250
FIGURES_SECONDS = 600
FIXES_LISTED = 20


def public_observations():
    """What the public reads (walks.roles), which is what the plan shows everyone."""
    return Observation.objects.readable_by(None)


def map_labels() -> dict:
    return {
        "count": _("Observations"),
        "observations": _("observations"),
        "empty": _("No grid cell has enough observations to be shown."),
        "district": _("District"),
        "rate": _("Severity-weighted rate per 1,000 residents"),
        "hidden": _("hidden (too few observations) or no population"),
    }


def boundary_of(municipality) -> dict:
    return json.loads(municipality.geom.geojson)


def district_features(municipality, picture: dict) -> dict:
    rates = {row["district"]["id"]: row["total"]["rate_per_1000"] for row in picture["districts"]}
    districts = municipality.districts.annotate(shape=AsGeoJSON("geom", precision=6)).defer("geom")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(district.shape),
                "properties": {"name": district.display_name, "rate": rates.get(district.pk)},
            }
            for district in districts
        ],
    }


def theme_heat_maps(municipality, boundary, period: Period, sources=None) -> list:
    """A public heat map per theme, all drawn in one statement from the cells kept on
    write (analysis.heatmap.theme_heat_maps)."""
    labels = map_labels()
    themes = list(Theme.objects.order_by("order", "code"))
    moment = ObservationQuerySet._local_moment
    every = heat.theme_heat_maps(
        municipality,
        [theme.pk for theme in themes],
        moment(period.start),
        moment(period.end),
        cell=PLAN_CELL,
        min_count=PUBLIC_MIN_COUNT,
        sources=sources,
    )
    made = []
    for theme in themes:
        cells = json.loads(every[theme.pk])
        title = _("Heat map: %(theme)s") % {"theme": theme.name}
        made.append(
            maps.heat_map(municipality, f"heat-{theme.code}", title, cells, boundary, labels=labels)
        )
    return made


def survey_map(municipality, boundary, period: Period, sources=None) -> list:
    """ "Where residents feel unsafe": the heat map of the places residents marked as unsafe
    in the survey (observations with source survey), when there are any (and the page is
    not narrowed to other sources)."""
    if sources and Source.SURVEY not in sources:
        return []
    filters = {
        "source": [Source.SURVEY],
        "positive": False,
        "observed_after": period.start,
        "observed_before": period.end,
    }
    unsafe = apply_filters(public_observations(), filters).in_municipality(municipality)
    if not unsafe.exists():
        return []
    cells = json.loads(heatmap(unsafe, municipality, cell=PLAN_CELL, min_count=PUBLIC_MIN_COUNT))
    title = _("Where residents feel unsafe (survey)")
    return [
        maps.heat_map(municipality, "survey-unsafe", title, cells, boundary, labels=map_labels())
    ]


def last_walk(municipality):
    return (
        SafetyWalk.objects.filter(municipality=municipality, starts_at__lte=timezone.now())
        .defer("route", "track")
        .order_by("-starts_at")
        .first()
    )


def fixed_since(municipality, walk, observations) -> dict:
    """Public problems (of `observations`) resolved since the walk started: counts by theme
    and the latest."""
    if walk is None:
        return {"walk": None, "by_theme": [], "latest": [], "total": 0}
    # Last resolved at or after the start: resolved at least once since (a few history
    # rows), which narrows before the last time is looked up.
    since = resolved_changes().filter(changed_at__gte=walk.starts_at).values("observation")
    fixed = (
        observations.in_municipality(municipality)
        .filter(status__in=FIXED_STATUSES, pk__in=since)
        .annotate(resolved_at=resolved_at())
        .filter(resolved_at__gte=walk.starts_at)
    )
    by_theme = list(
        fixed.order_by()
        .values("category__theme__order", "category__theme__code")
        .annotate(n=Count("pk"))
        .order_by("category__theme__order")
    )
    themes = {theme.code: theme.name for theme in Theme.objects.all()}
    latest = fixed.select_related("category", "district").order_by("-resolved_at", "-pk")[
        :FIXES_LISTED
    ]
    return {
        "walk": {"title": walk.title, "starts_at": walk.starts_at},
        "by_theme": [
            {"theme": themes[row["category__theme__code"]], "count": row["n"]} for row in by_theme
        ],
        "latest": [
            {
                "category": observation.category.name,
                "district": observation.district.display_name if observation.district else "",
                "resolved_at": observation.resolved_at,
            }
            for observation in latest
        ],
        "total": sum(row["n"] for row in by_theme),
    }


def plan_period(plan) -> Period:
    """The council term so far (its last day included), against the period before it."""
    today = timezone.localdate()
    end = min(today, plan.period_end) + datetime.timedelta(days=1)
    if end <= plan.period_start:  # a plan for a term not yet begun: the last year
        return Period.last_year(today)
    return Period(plan.period_start, end)


def plan_figures(plan, sources=None) -> dict:
    """The heavy part of the plan page, cached: picture, maps and fixes. Right after a change
    a reader gets the figures made before it while the new ones are made (cached_meanwhile)."""
    period = plan_period(plan)
    return cached_meanwhile(
        "plan-figures",
        [plan.municipality.pk, period.start, period.end, sorted(sources or ())],
        lambda: compute_figures(plan.municipality, period, sources),
        FIGURES_SECONDS,
    )


def compute_figures(municipality, period: Period, sources=None) -> dict:
    """The picture, maps and fixes over the public observations, of `sources` only when
    given (a list of walks.models.Source values, parsed by the filter vocabulary)."""
    observations = public_observations()
    if sources:
        observations = apply_filters(observations, {"source": sources})
    picture = municipality_picture(observations, municipality, period, suppress_small=True)
    boundary = boundary_of(municipality)
    labels = map_labels()
    district_map = maps.choropleth(
        municipality,
        "districts",
        _("Districts by severity-weighted rate per 1,000 residents"),
        district_features(municipality, picture),
        boundary,
        labels=labels,
    )
    return {
        "period": period,
        "picture": picture,
        "maps": [
            district_map,
            *theme_heat_maps(municipality, boundary, period, sources),
            *survey_map(municipality, boundary, period, sources),
        ],
        "fixed": fixed_since(municipality, last_walk(municipality), observations),
    }


def plan_context(plan, *, public: bool = True, sources=None) -> dict:
    """The plan page: the published content (`public`), or the working copy planners edit,
    with whether it differs from what is published; its figures narrowed to `sources`
    when given."""
    content = content_for(plan, public=public)
    municipality = plan.municipality
    actions = count_observations(content.actions, public_observations())
    years = {}
    for action in actions:
        years.setdefault(action.year, []).append(action)
        # Baseline and current from the indicator's series, over what the public may read.
        if action.linked_indicator:
            action.figures = figures(action.linked_indicator, action.year, public_observations())
    statuses = Counter(action.status for action in actions)
    walks = SafetyWalk.objects.filter(municipality=municipality).defer("route", "track")
    return {
        "plan": content.plan,
        "content": content,
        "public": public,
        "unpublished_changes": not public and has_unpublished_changes(plan),
        "municipality": municipality,
        "priorities": content.priorities,
        "years": sorted(years.items()),
        "status_counts": [(label, statuses.get(value, 0)) for value, label in ActionStatus.choices],
        "promises": content.promises,
        "walks": walks.order_by("-starts_at"),
        # The resident survey's section (plans/survey_section.html): public figures only.
        "survey": survey_indicators(municipality, timezone.localdate(), suppress_small=True),
        # The sources the figures are narrowed to, by name, or none.
        "sources": [Source(value).label for value in sources or ()],
        "source_query": ",".join(sources or ()),
        **plan_figures(plan, sources),
    }
