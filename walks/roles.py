# SPDX-License-Identifier: EUPL-1.2
"""The roles of DESIGN.md, how a user gets one, and what each role may do: defined once.

Public and walk participant need no account. Department staff, planners and partner
organisations (police, rescue service, NGO, housing company) are *memberships*
(walks.models.Membership): a user × a municipality × a role, given by administrators in the
admin. A user's role counts in the municipalities of their memberships only; elsewhere they
are the public. Administrators are superusers and count everywhere.

The groups "planners" and "department staff" carry the Django admin's model permissions
only: a user in a group without a membership has no municipality, and sees and changes what
the public does (nothing internal).

| role         | reads observations    | writes observations                                  |
|--------------|-----------------------|------------------------------------------------------|
| public       | public, not sensitive | —                                                    |
| participant  | public + their own    | create in their walk; edit/delete their own while    |
|              |                       | the walk is open; photos on their own                |
| partner      | all, in their         | — (they update their organisation's plan actions:   |
|              | municipalities        |   status and indicator value)                        |
| staff        | all, in their         | status/assignment for their units' ones; photos      |
|              | municipalities        |                                                      |
| planner      | all, in their         | create, edit, status/assignment for any; photos      |
|              | municipalities        |                                                      |
| admin        | all                   | everything                                           |

Planners and administrators also see join codes and draft plans, organise walks and change
the plan; partners, staff, planners and administrators use the map workspace; staff,
planners and administrators export and read walk protocols with internal observations.
Each of these is asked about a municipality: `role_in(user, municipality)`; `role_of(user)`
is the highest role a user has anywhere (what a page shows before it knows the place), and
`municipalities_of(user)` says where a user's role counts. The API, the plan pages, the
pages and the admin ask these predicates, never for a list of roles of their own.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PLANNERS_GROUP = "planners"
STAFF_GROUP = "department staff"


class Role(models.TextChoices):
    PUBLIC = "public", pgettext_lazy("role", "public")
    PARTICIPANT = "participant", _("walk participant")
    PARTNER = "partner", _("partner organisation")
    STAFF = "staff", _("department staff")
    PLANNER = "planner", _("planner")
    ADMIN = "admin", _("administrator")


# The roles a membership gives, and which of them outranks which (role_of names the highest).
MEMBER_ROLES = (Role.PARTNER, Role.STAFF, Role.PLANNER)
_RANK = [Role.PUBLIC, Role.PARTICIPANT, *MEMBER_ROLES, Role.ADMIN]


def is_participant(who) -> bool:
    """A walks.models.WalkParticipant (not imported: walks.models imports this module)."""
    return getattr(who, "is_walk_participant", False)


def _is_user(who) -> bool:
    """A signed-in, active account (not a walk participant)."""
    return who is not None and not is_participant(who) and who.is_authenticated and who.is_active


def memberships_of(user) -> dict:
    """The user's walks.models.Membership rows by municipality id, read once per user
    object (a request's user: one query per request)."""
    if not _is_user(user):
        return {}
    found = getattr(user, "_lyhty_memberships", None)
    if found is None:
        found = user._lyhty_memberships = {m.municipality_id: m for m in user.memberships.all()}
    return found


def municipalities_of(user, *, having=None) -> set[int] | None:
    """The ids of the municipalities where the user's role counts; None means all (an
    administrator). `having`: only where their role passes this predicate, e.g.
    municipalities_of(user, having=organises)."""
    if _is_user(user) and user.is_superuser:
        return None
    return {
        municipality
        for municipality, membership in memberships_of(user).items()
        if having is None or having(Role(membership.role))
    }


def role_of(who) -> Role:
    """The role of a user, a walk participant, or nobody (None): for a user, the highest
    their memberships give anywhere (see role_in for one municipality)."""
    if is_participant(who):
        return Role.PARTICIPANT
    if not _is_user(who):
        return Role.PUBLIC
    if who.is_superuser:
        return Role.ADMIN
    held = [Role(m.role) for m in memberships_of(who).values()]
    return max(held, key=_RANK.index, default=Role.PUBLIC)


def role_in(who, municipality) -> Role:
    """The role of a user (or participant, or nobody) in one municipality (or its id)."""
    if is_participant(who):
        return Role.PARTICIPANT
    if not _is_user(who):
        return Role.PUBLIC
    if who.is_superuser:
        return Role.ADMIN
    municipality_id = getattr(municipality, "pk", municipality)
    membership = memberships_of(who).get(municipality_id)
    return Role(membership.role) if membership else Role.PUBLIC


# --- what a role may do -------------------------------------------------------------------

_STAFF_AND_UP = (Role.STAFF, Role.PLANNER, Role.ADMIN)
_READERS = (Role.PARTNER, *_STAFF_AND_UP)
_PLANNERS = (Role.PLANNER, Role.ADMIN)


def reads_internal(role: Role) -> bool:
    """Reads every observation, internal and sensitive ones included (where the role
    counts: municipalities_of)."""
    return role in _READERS


def organises(role: Role) -> bool:
    """Sees join codes and draft plans, organises walks, changes the plan, and edits or
    moves along any observation."""
    return role in _PLANNERS


def uses_workspace(role: Role) -> bool:
    return role in _READERS


def exports(role: Role) -> bool:
    return role in _STAFF_AND_UP


def reads_protocols(role: Role) -> bool:
    """Reads walk protocols whole: internal observations, follow-up notes, tracks."""
    return role in _STAFF_AND_UP


def assigns(role: Role) -> bool:
    """Changes status and assignment (staff only for their units' observations)."""
    return role in _STAFF_AND_UP


def assigns_this(user, observation) -> bool:
    """Changes this observation's status and assignment: planners and administrators of
    its municipality; staff of its municipality only if one of their units answers for it
    (the unit assigned, or the category's default unit)."""
    role = role_in(user, observation.municipality_id)
    if role == Role.STAFF:
        units = set(user.units.values_list("id", flat=True))
        return bool(units & {observation.category.default_unit_id, observation.responsible_unit_id})
    return assigns(role)


def adds_photos_to_any(role: Role) -> bool:
    """Adds photos to any observation (of a municipality where the role counts)."""
    return role in _STAFF_AND_UP


def creates_observations(role: Role) -> bool:
    return role in (Role.PARTICIPANT, *_PLANNERS)


def edits_observations(role: Role) -> bool:
    """Edits observations: a participant only their own, planners and administrators any
    of their municipalities."""
    return role in (Role.PARTICIPANT, *_PLANNERS)


def deletes_observations(role: Role) -> bool:
    """Deletes observations: a participant only their own, administrators any."""
    return role in (Role.PARTICIPANT, Role.ADMIN)


def owns_action(user, action) -> bool:
    """A plans.models.Action is this partner's: they are a partner of the plan's
    municipality, and the action's owner is their organisation (kind, and name ignoring
    case). Administrators own every action (not imported: plans sits above walks)."""
    if role_in(user, action.plan.municipality_id) == Role.ADMIN:
        return True
    membership = memberships_of(user).get(action.plan.municipality_id)
    return (
        membership is not None
        and membership.role == Role.PARTNER
        and membership.organisation_kind == action.owner_kind
        and membership.organisation.casefold() == action.owner_name.casefold()
    )


def readable_observations(observations, who, role: Role | None = None):
    """The observations (a QuerySet) that a user, a walk participant or nobody may read:
    everything for administrators; for members, every observation of the municipalities
    where their role reads internal ones and what the public reads elsewhere.

    `role` saves working it out again when the caller knows it already."""
    role = role_of(who) if role is None else role
    if role == Role.ADMIN:
        return observations
    public = observations.visible_to_public()
    if role == Role.PARTICIPANT:
        return public | observations.filter(participant=who)
    if reads_internal(role):
        towns = municipalities_of(who, having=reads_internal)
        return public | observations.filter(municipality_id__in=towns)
    return public
