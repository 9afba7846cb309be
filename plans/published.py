# SPDX-License-Identifier: EUPL-1.2
"""The published state of a plan: a revision taken on publish, which the public reads.

Everyone who changes a plan changes its working copy (the plans tables), whoever they
are and however they write it: the admin, the API, the map's "Create action", a partner
updating a status. Publishing copies the working copy into a `PlanRevision`, serialised
by Django's own "python" serializer (every column, the linked observations and walks as
ids) — one JSON per publication, nothing to keep in step with the models' columns.

Readers get a `PlanContent` either way: `working_copy(plan)` from the tables (planners,
the internal walk protocol) or `published_content(plan)` from the latest revision (the
public page, its PDF, the public walk protocols, the public API). Both give model
instances with the same relations set (`action.priority`, `priority.theme`,
`action.observation_ids`, `promise.priority_list`), so the page and the API render them
alike. Themes and districts are reference data and are read as they are now.

A plan marked published without a revision (written by a fixture or a shell, not through
`publish`) is published as it is at its first public read.
"""

from dataclasses import dataclass, field

from django.core import serializers
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from geo.models import District
from plans.models import (
    Action,
    CitizenPromise,
    PlanRevision,
    PlanState,
    Priority,
    SafetyPlan,
)
from walks.models import AuditAction, AuditEvent, Observation, SafetyWalk, Theme


@dataclass
class PlanContent:
    plan: SafetyPlan
    priorities: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    promises: list = field(default_factory=list)
    # The revision read, or None for the working copy.
    revision: PlanRevision | None = None

    @property
    def last_updated(self):
        """The date of the publication shown (the working copy: its last change)."""
        return self.revision.published_at if self.revision else self.plan.updated_at


def rows_of(plan) -> list:
    priorities = Priority.objects.filter(plan=plan).order_by("pk")
    actions = Action.objects.filter(plan=plan).prefetch_related(
        Prefetch("observations", queryset=Observation.objects.only("pk")),
        Prefetch("walks", queryset=SafetyWalk.objects.only("pk")),
    )
    promises = CitizenPromise.objects.filter(plan=plan).prefetch_related("priorities")
    return [plan, *priorities, *actions.order_by("pk"), *promises.order_by("pk")]


def snapshot(plan) -> list:
    # The m2m ids come from the prefetches: values only, never the observations' rows.
    return serializers.serialize("python", rows_of(plan))


@transaction.atomic
def publish(plan, *, moment=None, by=None) -> PlanRevision:
    """The plan as it is now becomes what the public reads."""
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    moment = moment or timezone.now()
    plan.state = PlanState.PUBLISHED
    plan.published_at = plan.published_at or moment
    plan.save(update_fields=["state", "published_at", "updated_at"])
    revision = PlanRevision.objects.create(
        plan=plan,
        published_at=moment,
        published_by=by if getattr(by, "is_authenticated", False) else None,
        content=snapshot(plan),
        stamp=plan.change_stamp(),
    )
    AuditEvent.record(AuditAction.PLAN_PUBLISHED, by=by, target=plan, revision=revision.pk)
    return revision


def latest_revision(plan) -> PlanRevision | None:
    if not plan.is_published:
        return None
    revision = plan.revisions.order_by("-published_at", "-pk").first()
    if revision is None:
        revision = publish(plan, moment=plan.published_at)
    return revision


def has_unpublished_changes(plan) -> bool:
    """The working copy differs from the latest publication (False for a draft plan)."""
    revision = latest_revision(plan)
    return revision is not None and revision.stamp != plan.change_stamp()


def wire(content: PlanContent, action_links: dict) -> PlanContent:
    """Set the relations the page and the API follow, from rows already in memory."""
    themes = {theme.pk: theme for theme in Theme.objects.all()}
    wanted = {row.district_id for row in content.priorities + content.actions} - {None}
    districts = District.objects.defer("geom").in_bulk(wanted)
    priorities = {priority.pk: priority for priority in content.priorities}
    for priority in content.priorities:
        priority.plan = content.plan
        priority.theme = themes.get(priority.theme_id)
        priority.district = districts.get(priority.district_id)
    for action in content.actions:
        action.plan = content.plan
        action.priority = priorities.get(action.priority_id)
        action.district = districts.get(action.district_id)
        observation_ids, walk_ids = action_links.get(action.pk, ([], []))
        action.observation_ids, action.walk_ids = set(observation_ids), sorted(walk_ids)
    for promise in content.promises:
        promise.plan = content.plan
        promise.priority_list = [p for p in content.priorities if p.pk in promise.priority_ids]
    content.priorities.sort(key=lambda p: (p.order, p.pk))
    content.actions.sort(key=lambda a: (a.year, a.deadline is None, a.deadline, a.pk))
    return content


def working_copy(plan) -> PlanContent:
    """The plan as its planners are editing it."""
    rows = rows_of(plan)
    content = PlanContent(plan=plan)
    links = {}
    for row in rows[1:]:
        if isinstance(row, Priority):
            content.priorities.append(row)
        elif isinstance(row, Action):
            content.actions.append(row)
            links[row.pk] = (
                [o.pk for o in row.observations.all()],
                [w.pk for w in row.walks.all()],
            )
        else:
            row.priority_ids = {p.pk for p in row.priorities.all()}
            content.promises.append(row)
    return wire(content, links)


def published_content(plan) -> PlanContent | None:
    """What the public reads of the plan; None when it has not been published."""
    revision = latest_revision(plan)
    if revision is None:
        return None
    content = PlanContent(plan=plan, revision=revision)
    links = {}
    for item in serializers.deserialize("python", revision.content, ignorenonexistent=True):
        row = item.object
        if isinstance(row, SafetyPlan):
            # The published texts and term over the live row: its state and dates stay.
            row.municipality = plan.municipality
            row.state, row.published_at, row.updated_at = (
                plan.state,
                plan.published_at,
                plan.updated_at,
            )
            content.plan = row
        elif isinstance(row, Priority):
            content.priorities.append(row)
        elif isinstance(row, Action):
            content.actions.append(row)
            links[row.pk] = (
                list(item.m2m_data.get("observations", [])),
                list(item.m2m_data.get("walks", [])),
            )
        elif isinstance(row, CitizenPromise):
            row.priority_ids = set(item.m2m_data.get("priorities", []))
            content.promises.append(row)
    return wire(content, links)


def count_observations(actions: list, observations) -> list:
    """Each action with `observation_count`: how many of its linked observations are in
    `observations` (what the reader may see), in one query for them all."""
    linked = {pk for action in actions for pk in action.observation_ids}
    seen = set(observations.filter(pk__in=linked).values_list("pk", flat=True))
    for action in actions:
        action.observation_count = len(seen.intersection(action.observation_ids))
    return actions


def content_for(plan, *, public: bool) -> PlanContent:
    """The published content for the public; the working copy for planners and for a
    plan never published (which only planners reach: the views refuse it to others)."""
    if public:
        published = published_content(plan)
        if published is not None:
            return published
    return working_copy(plan)


def published_actions(plans) -> list:
    """The published actions of the plans (a QuerySet of published plans)."""
    found = []
    for plan in plans.select_related("municipality"):
        content = published_content(plan)
        if content is not None:
            found.extend(content.actions)
    return found
