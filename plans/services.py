# SPDX-License-Identifier: EUPL-1.2
"""Workflows that span plans and observations: turning a hotspot into an action."""

import datetime

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import connection, transaction
from django.utils import timezone

from plans.models import Action, SafetyPlan
from walks.models import ObservationQuerySet

# Placeholders: the action's id, then the observation query's own parameters.
_LINK = (
    "INSERT INTO {through} (action_id, observation_id) "
    "SELECT %s, hotspot.id FROM ({observations}) AS hotspot(id) "
    "ON CONFLICT DO NOTHING"
)


def hotspot_observations(observations: ObservationQuerySet, *, plan, district=None, area=None):
    """The observations of the plan's municipality inside the district or the area.

    Inside a district means what PostGIS assigned (the observation's district); inside an
    area means the area covers the point, boundary included (ST_Intersects on a point).
    """
    rows = observations.in_municipality(plan.municipality)
    if district is not None:
        rows = rows.in_district(district)
    if area is not None:
        rows = rows.filter(geom__intersects=area)
    return rows


def link_observations(action: Action, observations: ObservationQuerySet) -> int:
    """Link every observation of the QuerySet to the action in one INSERT … SELECT."""
    through = Action.observations.through
    sql, params = observations.order_by().values("pk").query.sql_with_params()
    statement = _LINK.format(
        through=connection.ops.quote_name(through._meta.db_table), observations=sql
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [action.pk, *params])
        return cursor.rowcount


def as_multipolygon(area: GEOSGeometry | None) -> MultiPolygon | None:
    if area is None or isinstance(area, MultiPolygon):
        return area
    if isinstance(area, Polygon):
        return MultiPolygon(area, srid=area.srid)
    raise TypeError("An action's area is a Polygon or a MultiPolygon.")


@transaction.atomic
def action_from_hotspot(
    plan: SafetyPlan,
    observations: ObservationQuerySet,
    *,
    district=None,
    area: GEOSGeometry | None = None,
    filters: dict | None = None,
    created_by=None,
    **fields,
) -> Action:
    """A new action in the plan for a hotspot (a district or an area), with the hotspot's
    observations linked.

    `fields` are the action's columns, its texts by language (`title_fi`, `title_sv`, …).
    `observations` is what the caller may read, already narrowed by the map's filters;
    `filters` is the same filters as JSON, kept on the action as a record. The links are
    made in one set-based statement in PostGIS, whatever their number.
    """
    if (district is None) == (area is None):
        raise ValueError("Give a district or an area, not both and not neither.")
    if "year" not in fields:
        deadline = fields.get("deadline")
        year = deadline.year if isinstance(deadline, datetime.date) else timezone.localdate().year
        fields["year"] = min(max(year, plan.period_start.year), plan.period_end.year)
    action = Action(
        plan=plan,
        district=district,
        geom=as_multipolygon(area),
        source_filters=filters or {},
        created_by=created_by,
        **fields,
    )
    # The request key's uniqueness is the database's to enforce: of two requests with the
    # same key at once, the second fails there (IntegrityError) and its caller finds the first.
    action.full_clean(exclude=["observations", "walks", "request_key"])
    action.save()
    link_observations(
        action, hotspot_observations(observations, plan=plan, district=district, area=area)
    )
    return action
