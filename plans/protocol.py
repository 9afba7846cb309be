# SPDX-License-Identifier: EUPL-1.2
"""What the walk protocol shows, computed from the database.

The findings are grouped by category (in the taxonomy's order) and numbered 1…N in that
order. They are printed on sheets: each sheet is one map whose pins carry the findings'
numbers, followed by the list of those findings, so that the number in the list is the
number on the map beside it. A sheet holds about SHEET_CAPACITY lines of list, which keeps
a sheet on one A4 page and the demo walk's 400 findings within ten pages.
"""

import base64
import math
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q
from django.utils.translation import gettext as _

from plans import maps
from plans.models import Action, PlanRevision, SafetyPlan
from plans.page import public_observations
from plans.published import published_actions
from walks.models import Observation, ParticipantGroup, WalkParticipant

# Lines of list on one sheet under its map (three columns of about 45 lines on A4, less
# than full, so that the map's pins stay readable), and a list line's characters.
SHEET_CAPACITY = 120
LINE_CHARS = 40
HEADING_LINES = 3  # a category's name and its responsible unit
PHOTO_LINES = 6
# The characters of a finding's first line besides its district, status and actions.
ROW_CHARS = 30


def thumbnail_data(photo) -> str | None:
    """The thumbnail inline (data: URI): the protocol and its PDF carry their own images."""
    try:
        with photo.thumbnail.open("rb") as image:
            content = image.read()
    except (OSError, ValueError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(content).decode()


@dataclass
class Finding:
    number: int
    observation: Observation
    unit: str  # only when it is not the category's own unit (that one is in the heading)
    photos: list[str]
    actions: list[str]  # the labels (A1, A2, …) of the actions in the protocol's table

    @property
    def lines(self) -> int:
        """About how many list lines the finding takes: what fills a sheet."""
        observation = self.observation
        district = observation.district.display_name if observation.district else ""
        row = ROW_CHARS + len(district) + len(observation.get_status_display())
        row += len(self.unit) + 7 * len(self.actions)
        text = [row, len(observation.description), len(observation.proposed_fix)]
        lines = sum(math.ceil(chars / LINE_CHARS) for chars in text)
        return lines + (PHOTO_LINES if self.photos else 0)


@dataclass
class Group:
    category: object
    unit: str
    continued: bool
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Sheet:
    groups: list[Group] = field(default_factory=list)
    lines: int = 0
    map: maps.FoliumMap | None = None

    @property
    def findings(self) -> list[Finding]:
        return [finding for group in self.groups for finding in group.findings]

    @property
    def first(self) -> int:
        return self.findings[0].number

    @property
    def last(self) -> int:
        return self.findings[-1].number


def unit_name(unit) -> str:
    return unit.name if unit else ""


def numbered(findings, labels: dict[int, list[str]]) -> list[Finding]:
    """The findings in the category order, numbered from 1; `labels`: each finding's
    actions' labels, by the finding's id."""
    ordered = sorted(
        findings,
        key=lambda f: (f.category.theme.order, f.category.order, f.category.code, f.observed_at),
    )
    made = []
    for number, observation in enumerate(ordered, start=1):
        default = observation.category.default_unit
        unit = observation.responsible_unit or default
        made.append(
            Finding(
                number=number,
                observation=observation,
                unit="" if unit == default else unit_name(unit),
                photos=[p for p in map(thumbnail_data, observation.photos.all()) if p],
                actions=labels.get(observation.pk, []),
            )
        )
    return made


def sheets_of(findings: list[Finding]) -> list[Sheet]:
    """The numbered findings cut into sheets of about SHEET_CAPACITY lines; a category
    that does not fit goes on, marked as continued, on the next sheet."""
    sheets = [Sheet()]
    for finding in findings:
        category = finding.observation.category
        sheet = sheets[-1]
        same_group = bool(sheet.groups) and sheet.groups[-1].category == category
        needed = finding.lines + (0 if same_group else HEADING_LINES)
        if sheet.lines and sheet.lines + needed > SHEET_CAPACITY:
            sheet, same_group = Sheet(), False
            sheets.append(sheet)
        if not same_group:
            previous = sheets[-2].groups[-1].category if len(sheets) > 1 else None
            continued = previous == category
            sheet.groups.append(Group(category, unit_name(category.default_unit), continued))
            sheet.lines += HEADING_LINES
        sheet.groups[-1].findings.append(finding)
        sheet.lines += finding.lines
    return [sheet for sheet in sheets if sheet.groups]


def protocol_context(walk, *, internal: bool) -> dict:
    """The protocol as `internal` readers (staff, planners, administrators) see it, or as
    everyone else does: public findings only, actions of published plans only, no names of
    responsible persons, no follow-up notes and no recorded track (it starts at someone's
    home; the API hides it too). The public reads the published revisions of the plans
    (plans.published); internal readers the working copies, drafts included."""
    observations = Observation.objects.all() if internal else public_observations()
    observed = list(
        observations.in_walk(walk)
        .select_related("category__theme", "responsible_unit", "district", "category__default_unit")
        .prefetch_related("photos")
        .order_by("observed_at", "pk")
    )
    linked = linked_actions(walk, observed, internal=internal)
    labels = {}
    for n, action in enumerate(linked, start=1):
        action.label = f"A{n}"
        for pk in action.observation_ids:
            labels.setdefault(pk, []).append(action.label)
    groups = dict(
        WalkParticipant.objects.filter(walk=walk)
        .values_list("group")
        .annotate(n=Count("pk"))
        .values_list("group", "n")
    )
    route = maps.as_json(walk.route) if walk.route else None
    track = maps.as_json(walk.track) if walk.track and internal else None
    points = [(f.geom.x, f.geom.y, f.category.name) for f in observed]
    route_map = maps.route_map(walk, "route", _("Route"), route, track, points)
    sheets = sheets_of(numbered(observed, labels))
    for n, sheet in enumerate(sheets, start=1):
        pins = [
            (f.number, f.observation.geom.x, f.observation.geom.y, f.observation.category.name)
            for f in sheet.findings
        ]
        title = _("Findings %(first)s–%(last)s") % {"first": sheet.first, "last": sheet.last}
        sheet.map = maps.numbered_map(walk, f"findings-{n}", title, route, track, pins)
    return {
        "walk": walk,
        "internal": internal,
        "participants": [
            (label, groups[value]) for value, label in ParticipantGroup.choices if value in groups
        ],
        "participant_total": sum(groups.values()),
        "finding_count": len(observed),
        "sheets": sheets,
        "route_map": route_map,
        "actions": linked,
    }


def linked_actions(walk, observed, *, internal: bool) -> list:
    """The actions linked to the walk or to one of its findings, by deadline, each with
    `observation_ids`: the working copies (internal readers) or the published revisions
    (everyone else: plans.published)."""
    if internal:
        rows = (
            Action.objects.filter(Q(walks=walk) | Q(observations__in=[f.pk for f in observed]))
            .distinct()
            .select_related("plan")
            .prefetch_related(Prefetch("observations", queryset=Observation.objects.only("pk")))
        )
        actions = []
        for action in rows:
            action.observation_ids = {o.pk for o in action.observations.all()}
            actions.append(action)
    else:
        plans = SafetyPlan.objects.published().filter(municipality=walk.municipality_id)
        shown = {finding.pk for finding in observed}
        actions = [
            action
            for action in published_actions(plans)
            if walk.pk in action.walk_ids or shown.intersection(action.observation_ids)
        ]
    return sorted(actions, key=lambda a: (a.deadline is None, a.deadline, a.pk))


def protocol_stamp(walk) -> list:
    """What the protocol shows besides the observations (walks.cache adds their stamp).

    The working copies of the linked actions (internal readers) and the municipality's
    publications (the public) count too."""
    actions = Action.objects.filter(Q(walks=walk) | Q(observations__walk=walk)).aggregate(
        last=Max("updated_at"), n=Count("pk", distinct=True)
    )
    published = PlanRevision.objects.filter(plan__municipality=walk.municipality_id).aggregate(
        last=Max("pk"), n=Count("pk")
    )
    return [walk.title, walk.state, walk.follow_up_notes, str(walk.starts_at), actions, published]
