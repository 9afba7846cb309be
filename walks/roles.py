# SPDX-License-Identifier: EUPL-1.2
"""The roles of DESIGN.md, how a user gets one, and what each role may do: defined once.

Public and walk participant need no account. Department staff and planners are Django
groups (so administrators hand out roles in the admin); administrators are superusers.

| role         | reads observations    | writes observations                                  |
|--------------|-----------------------|------------------------------------------------------|
| public       | public, not sensitive | —                                                    |
| participant  | public + their own    | create in their walk; edit/delete their own while    |
|              |                       | the walk is open; photos on their own                |
| staff        | all                   | status/assignment for their units' ones; photos      |
| planner      | all                   | create, edit, status/assignment for any; photos      |
| admin        | all                   | everything                                           |

Planners and administrators also see join codes and draft plans, organise walks and change
the plan; staff, planners and administrators use the map workspace, export, and read walk
protocols with internal observations. The API, the plan pages, the pages and the admin ask
these predicates, never for a list of roles of their own.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PLANNERS_GROUP = "planners"
STAFF_GROUP = "department staff"


class Role(models.TextChoices):
    PUBLIC = "public", pgettext_lazy("role", "public")
    PARTICIPANT = "participant", _("walk participant")
    STAFF = "staff", _("department staff")
    PLANNER = "planner", _("planner")
    ADMIN = "admin", _("administrator")


def is_participant(who) -> bool:
    """A walks.models.WalkParticipant (not imported: walks.models imports this module)."""
    return getattr(who, "is_walk_participant", False)


def role_of(who) -> Role:
    """The role of a user, a walk participant, or nobody (None)."""
    if is_participant(who):
        return Role.PARTICIPANT
    if who is None or not who.is_authenticated or not who.is_active:
        return Role.PUBLIC
    if who.is_superuser:
        return Role.ADMIN
    groups = {group.name for group in who.groups.all()}
    if PLANNERS_GROUP in groups:
        return Role.PLANNER
    if STAFF_GROUP in groups:
        return Role.STAFF
    return Role.PUBLIC


# --- what a role may do -------------------------------------------------------------------

_STAFF_AND_UP = (Role.STAFF, Role.PLANNER, Role.ADMIN)
_PLANNERS = (Role.PLANNER, Role.ADMIN)


def reads_internal(role: Role) -> bool:
    """Reads every observation, internal and sensitive ones included."""
    return role in _STAFF_AND_UP


def organises(role: Role) -> bool:
    """Sees join codes and draft plans, organises walks, changes the plan, and edits or
    moves along any observation."""
    return role in _PLANNERS


def uses_workspace(role: Role) -> bool:
    return role in _STAFF_AND_UP


def exports(role: Role) -> bool:
    return role in _STAFF_AND_UP


def assigns(role: Role) -> bool:
    """Changes status and assignment (staff only for their units' observations)."""
    return role in _STAFF_AND_UP


def assigns_this(role: Role, user, observation) -> bool:
    """Changes this observation's status and assignment: staff only if one of their units
    answers for it (the unit assigned, or the category's default unit)."""
    if role == Role.STAFF:
        units = set(user.units.values_list("id", flat=True))
        return bool(units & {observation.category.default_unit_id, observation.responsible_unit_id})
    return assigns(role)


def adds_photos_to_any(role: Role) -> bool:
    return role in _STAFF_AND_UP


def creates_observations(role: Role) -> bool:
    return role in (Role.PARTICIPANT, *_PLANNERS)


def edits_observations(role: Role) -> bool:
    """Edits observations: a participant only their own, planners and administrators any."""
    return role in (Role.PARTICIPANT, *_PLANNERS)


def deletes_observations(role: Role) -> bool:
    """Deletes observations: a participant only their own, administrators any."""
    return role in (Role.PARTICIPANT, Role.ADMIN)


def readable_observations(observations, who, role: Role | None = None):
    """The observations (a QuerySet) that a user, a walk participant or nobody may read.

    `role` saves working it out again when the caller knows it already."""
    role = role_of(who) if role is None else role
    if reads_internal(role):
        return observations
    public = observations.visible_to_public()
    if role == Role.PARTICIPANT:
        return public | observations.filter(participant=who)
    return public
