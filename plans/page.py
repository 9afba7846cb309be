# SPDX-License-Identifier: EUPL-1.2
"""What the plan page and the walk protocol show, computed from the database.

The plan page is a public document: it is built from what the public may read
(`Observation.objects.readable_by(None)`), with the district picture's small cells and
the heat map's cells under PUBLIC_MIN_COUNT hidden, for every reader, planners included —
a planner previewing a draft sees what the public will see. The figures (picture, maps,
fixes) are cached per municipality, period and language until the observations change
(walks.cache).
"""

import base64
import datetime
import json
from collections import Counter

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis.heatmap import PUBLIC_MIN_COUNT, heatmap
from analysis.picture import Period, municipality_picture, resolved_at
from analysis.survey import survey_indicators
from plans import maps
from plans.models import Action, ActionStatus
from walks.cache import cached
from walks.filters import apply_filters
from walks.models import (
    FIXED_STATUSES,
    Observation,
    ParticipantGroup,
    SafetyWalk,
    Source,
    Theme,
    WalkParticipant,
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


def theme_heat_maps(municipality, boundary, period: Period) -> list:
    labels = map_labels()
    made = []
    for theme in Theme.objects.order_by("order", "code"):
        # The heat-map API's filters, so the two share the pre-aggregate of the same question.
        filters = {
            "theme": [theme.code],
            "observed_after": period.start,
            "observed_before": period.end,
        }
        cells = json.loads(
            heatmap(
                apply_filters(public_observations(), filters),
                municipality,
                cell=PLAN_CELL,
                min_count=PUBLIC_MIN_COUNT,
            )
        )
        title = _("Heat map: %(theme)s") % {"theme": theme.name}
        made.append(
            maps.heat_map(municipality, f"heat-{theme.code}", title, cells, boundary, labels=labels)
        )
    return made


def survey_map(municipality, boundary, period: Period) -> list:
    """ "Where residents feel unsafe": the heat map of the places residents marked as unsafe
    in the survey (observations with source survey), when there are any."""
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


def fixed_since(municipality, walk) -> dict:
    """Public problems resolved since the walk started: counts by theme and the latest."""
    if walk is None:
        return {"walk": None, "by_theme": [], "latest": [], "total": 0}
    fixed = (
        public_observations()
        .in_municipality(municipality)
        .filter(status__in=FIXED_STATUSES)
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


def plan_figures(plan) -> dict:
    """The heavy part of the plan page, cached: picture, maps and fixes."""
    period = plan_period(plan)
    return cached(
        "plan-figures",
        [plan.municipality.pk, period.start, period.end],
        lambda: compute_figures(plan.municipality, period),
        FIGURES_SECONDS,
    )


def compute_figures(municipality, period: Period) -> dict:
    picture = municipality_picture(public_observations(), municipality, period, suppress_small=True)
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
            *theme_heat_maps(municipality, boundary, period),
            *survey_map(municipality, boundary, period),
        ],
        "fixed": fixed_since(municipality, last_walk(municipality)),
    }


def plan_context(plan) -> dict:
    municipality = plan.municipality
    priorities = list(plan.priorities.select_related("theme", "district"))
    actions = list(
        plan.actions.select_related("priority__theme", "district")
        .counting(public_observations())
        .order_by("year", "deadline", "pk")
    )
    years = {}
    for action in actions:
        years.setdefault(action.year, []).append(action)
    statuses = Counter(action.status for action in actions)
    walks = SafetyWalk.objects.filter(municipality=municipality).defer("route", "track")
    return {
        "plan": plan,
        "municipality": municipality,
        "priorities": priorities,
        "years": sorted(years.items()),
        "status_counts": [(label, statuses.get(value, 0)) for value, label in ActionStatus.choices],
        "promises": plan.promises.prefetch_related("priorities__theme", "priorities__district"),
        "walks": walks.order_by("-starts_at"),
        # The resident survey's section (plans/survey_section.html): public figures only.
        "survey": survey_indicators(municipality, timezone.localdate(), suppress_small=True),
        **plan_figures(plan),
    }


# --- the walk protocol ------------------------------------------------------------------


def thumbnail_data(photo) -> str | None:
    """The thumbnail inline (data: URI): the protocol and its PDF carry their own images."""
    try:
        with photo.thumbnail.open("rb") as image:
            content = image.read()
    except (OSError, ValueError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(content).decode()


def protocol_context(walk, *, internal: bool) -> dict:
    """The protocol as `internal` readers (staff, planners, administrators) see it, or as
    everyone else does: public findings only, actions of published plans only, no names of
    responsible persons, no follow-up notes and no recorded track (it starts at someone's
    home; the API hides it too)."""
    observations = Observation.objects.all() if internal else public_observations()
    actions = Action.objects.all() if internal else Action.objects.in_published_plans()
    findings = list(
        observations.in_walk(walk)
        .select_related("category__theme", "responsible_unit", "district", "category__default_unit")
        .prefetch_related("photos", Prefetch("actions", queryset=actions))
        .order_by("observed_at", "pk")
    )
    groups = dict(
        WalkParticipant.objects.filter(walk=walk)
        .values_list("group")
        .annotate(n=Count("pk"))
        .values_list("group", "n")
    )
    rows = []
    for finding in findings:
        unit = finding.responsible_unit or finding.category.default_unit
        rows.append(
            {
                "observation": finding,
                "unit": unit.name if unit else "",
                "photos": [p for p in map(thumbnail_data, finding.photos.all()) if p],
                "actions": list(finding.actions.all()),
            }
        )
    route = maps.as_json(walk.route) if walk.route else None
    track = maps.as_json(walk.track) if walk.track and internal else None
    points = [(f.geom.x, f.geom.y, f.category.name) for f in findings]
    route_map = maps.route_map(walk, "route", _("Route"), route, track, points)
    linked = (
        actions.filter(walks=walk) | actions.filter(observations__in=[f.pk for f in findings])
    ).distinct()
    return {
        "walk": walk,
        "internal": internal,
        "participants": [
            (label, groups[value]) for value, label in ParticipantGroup.choices if value in groups
        ],
        "participant_total": sum(groups.values()),
        "findings": rows,
        "route_map": route_map,
        "actions": linked.select_related("plan").order_by("deadline", "pk"),
    }


def protocol_stamp(walk) -> list:
    """What the protocol shows besides the observations (walks.cache adds their stamp).

    Publishing a plan shows its actions to the public: the plans' stamps count too."""
    actions = Action.objects.filter(Q(walks=walk) | Q(observations__walk=walk)).aggregate(
        last=Max("updated_at"), plans=Max("plan__updated_at"), n=Count("pk", distinct=True)
    )
    return [walk.title, walk.state, walk.follow_up_notes, str(walk.starts_at), actions]
