# SPDX-License-Identifier: EUPL-1.2
"""The annual follow-up report `/plan/<code>/follow-up/<year>/`: what one year of the plan
brought, the document a municipality sends its council each year.

Sections: each priority's indicators over the years (small SVG charts drawn on the server,
so they print as they are seen), the year's actions done and delayed, the citizen promises
and what came of their priorities' actions, the walks held in the year and what they found,
and what was fixed in the year. Like the plan page it is a public document: the plan as
published (plans.published), and the observations the public may read, for every reader.

"Delayed": an action of the year marked delayed, or one still planned or in progress whose
deadline has passed (by the end of the year, or today for the running year). "Fixed in the
year": public problems whose last move to resolved (analysis.picture.resolved_at) fell in
the year.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from analysis.picture import resolved_at
from knowledge.indicators import series
from knowledge.models import AreaStatistic, Incident, Indicator, IndicatorValue
from plans.models import ActionStatus
from plans.published import content_for
from surveys.models import Response
from walks.models import FIXED_STATUSES, Observation, ObservationQuerySet, SafetyWalk, Theme

OPEN_ACTIONS = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)

# The charts' drawing box (SVG user units) and the room left for the labels.
CHART_WIDTH, CHART_HEIGHT = 260, 90
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 30, 30, 16, 20


local_moment = ObservationQuerySet._local_moment  # a local day as the moment it begins


def public_observations():
    return Observation.objects.readable_by(None)


@dataclass(frozen=True)
class Year:
    year: int

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year + 1, 1, 1)

    def last_day_passed(self, today: datetime.date) -> datetime.date:
        """The last day whose deadlines have passed: the year's last, or yesterday."""
        return min(self.end, today) - datetime.timedelta(days=1)


def chart(values: dict[int, float]) -> dict | None:
    """A small line chart of a yearly series: the points in SVG coordinates, with the
    value and year to write beside each. The axis starts at 0 unless a value is below it."""
    if not values:
        return None
    years = list(values)
    low = min(0, *values.values())
    high = max(values.values())
    span = (high - low) or 1
    inner_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    inner_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    step = inner_w / (len(years) - 1) if len(years) > 1 else 0
    points = []
    for n, year in enumerate(years):
        x = CHART_LEFT + (n * step if len(years) > 1 else inner_w / 2)
        y = CHART_TOP + inner_h * (1 - (values[year] - low) / span)
        points.append(
            {"year": year, "value": values[year], "x": round(x, 1), "y": round(y, 1),
             "label_y": round(y - 5, 1)}
        )  # fmt: skip
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "axis_x1": CHART_LEFT - 10,
        "axis_x2": CHART_WIDTH - CHART_RIGHT + 10,
        "baseline_y": CHART_HEIGHT - CHART_BOTTOM,
        "label_y": CHART_HEIGHT - 4,
    }


def indicator_figures(indicator, year: int, since_year: int, observations) -> dict:
    """The indicator's series up to the report's year, its chart, the baseline (the last
    year before the plan began, or the first) and the value of the report's year."""
    values = {y: v for y, v in series(indicator, observations).items() if y <= year}
    before = [y for y in values if y < since_year]
    baseline_year = before[-1] if before else next(iter(values), None)
    return {
        "indicator": indicator,
        "values": values,
        "chart": chart(values),
        "baseline_year": baseline_year,
        "baseline": values.get(baseline_year),
        "current": values.get(year),
    }


def priorities_with_indicators(content, year: int, observations) -> list[dict]:
    """Each priority with its indicators: its own, then those of its actions, once each."""
    since = content.plan.period_start.year
    rows = []
    for priority in content.priorities:
        linked = [priority.linked_indicator] + [
            action.linked_indicator
            for action in content.actions
            if action.priority_id == priority.pk
        ]
        indicators = list({i.pk: i for i in linked if i is not None}.values())
        rows.append(
            {
                "priority": priority,
                "indicators": [indicator_figures(i, year, since, observations) for i in indicators],
            }
        )
    return rows


def is_delayed(action, year: Year, today: datetime.date) -> bool:
    if action.status == ActionStatus.DELAYED:
        return True
    overdue = action.deadline is not None and action.deadline <= year.last_day_passed(today)
    return action.status in OPEN_ACTIONS and overdue


def actions_of(content, year: Year, today: datetime.date) -> dict:
    actions = [action for action in content.actions if action.year == year.year]
    for action in actions:
        action.delayed = is_delayed(action, year, today)
    return {
        "all": actions,
        "done": [a for a in actions if a.status == ActionStatus.DONE],
        "delayed": [a for a in actions if a.delayed],
    }


def promises_with_outcome(content, actions: list) -> list[dict]:
    """Each citizen promise with the year's actions of its priorities and how many are done."""
    rows = []
    for promise in content.promises:
        theirs = [a for a in actions if a.priority_id in promise.priority_ids]
        done = sum(1 for a in theirs if a.status == ActionStatus.DONE)
        rows.append({"promise": promise, "actions": theirs, "done": done})
    return rows


def walks_held(municipality, year: Year, observations) -> list[dict]:
    """The walks begun in the year (and by now), with the public findings of each: problems,
    safe places, how many of the problems are fixed now, and the problems by theme."""
    walks = list(
        SafetyWalk.objects.filter(
            municipality=municipality,
            starts_at__gte=local_moment(year.start),
            starts_at__lt=min(local_moment(year.end), timezone.now()),
        )
        .defer("route", "track")
        .order_by("starts_at")
    )
    found = observations.filter(walk__in=walks).order_by()
    problem = Q(is_positive=False, category__is_positive=False)
    totals = {
        row["walk"]: row
        for row in found.values("walk").annotate(
            problems=Count("pk", filter=problem),
            positive=Count("pk", filter=~problem),
            fixed=Count("pk", filter=problem & Q(status__in=FIXED_STATUSES)),
        )
    }
    themes = {theme.pk: theme.name for theme in Theme.objects.all()}
    by_theme = {}
    rows = (
        found.filter(problem)
        .values("walk", "category__theme")
        .annotate(n=Count("pk"))
        .order_by("walk", "-n", "category__theme")
    )
    for row in rows:
        by_theme.setdefault(row["walk"], []).append((themes[row["category__theme"]], row["n"]))
    empty = {"problems": 0, "positive": 0, "fixed": 0}
    return [
        {"walk": walk, **{k: totals.get(walk.pk, empty)[k] for k in empty},
         "by_theme": by_theme.get(walk.pk, [])}
        for walk in walks
    ]  # fmt: skip


def fixed_in(municipality, year: Year, observations) -> dict:
    """Public problems fixed in the year, by theme."""
    fixed = (
        observations.in_municipality(municipality)
        .filter(status__in=FIXED_STATUSES, is_positive=False, category__is_positive=False)
        .annotate(resolved_at=resolved_at())
        .filter(
            resolved_at__gte=local_moment(year.start),
            resolved_at__lt=local_moment(year.end),
        )
    )
    themes = {theme.pk: theme.name for theme in Theme.objects.all()}
    rows = (
        fixed.order_by()
        .values("category__theme", "category__theme__order")
        .annotate(n=Count("pk"))
        .order_by("category__theme__order")
    )
    by_theme = [(themes[row["category__theme"]], row["n"]) for row in rows]
    return {"by_theme": by_theme, "total": sum(n for _name, n in by_theme)}


def knowledge_stamp(municipality) -> str:
    """Changes when what the indicators count besides the observations changes (incidents,
    area statistics, hand-entered values, indicators, survey answers): the printed plan
    and report are cached under it as well as under the observations' stamp (walks.cache).

    Per table: the rows, the last id and the sum of the rows' `xmin` (the transaction that
    wrote each row's current version), so that an edit, which keeps the count and the
    ids, changes it too. It is read in the reader's snapshot: a change not yet committed
    is neither in the figures nor in the stamp.
    """
    parts = []
    for rows in (
        Incident.objects.in_municipality(municipality),
        AreaStatistic.objects.in_municipality(municipality),
        IndicatorValue.objects.filter(indicator__municipality=municipality),
        Indicator.objects.filter(municipality=municipality),
        Response.objects.filter(survey__municipality=municipality),
    ):
        table = rows.model._meta.db_table
        written = RawSQL(f'"{table}".xmin::text::bigint', ())  # noqa: S611 - a table name
        found = rows.order_by().aggregate(n=Count("pk"), last=Max("pk"), written=Sum(written))
        parts.append(f"{found['n']}/{found['last']}/{found['written']}")
    return "|".join(parts)


def follow_up_context(plan, year: int, *, today: datetime.date | None = None) -> dict:
    """Everything the report shows, from the published plan and public observations."""
    today = today or timezone.localdate()
    content = content_for(plan, public=True)
    observations = public_observations()
    period = Year(year)
    actions = actions_of(content, period, today)
    municipality = plan.municipality
    return {
        "plan": content.plan,
        "content": content,
        "municipality": municipality,
        "year": year,
        "years": plan.years(),
        "priorities": priorities_with_indicators(content, year, observations),
        "actions": actions,
        "promises": promises_with_outcome(content, actions["all"]),
        "walks": walks_held(municipality, period, observations),
        "fixed": fixed_in(municipality, period, observations),
    }
