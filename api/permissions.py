# SPDX-License-Identifier: EUPL-1.2
"""Who may read and change what, for every endpoint (the roles of DESIGN.md).

| role         | reads observations             | writes observations                         |
|--------------|--------------------------------|---------------------------------------------|
| public       | public, not sensitive          | —                                           |
| participant  | public + their own             | create in their walk; edit/delete their own |
|              |                                | while the walk is open                      |
| staff        | all                            | status/assignment for their units' ones     |
| planner      | all                            | create, edit, status/assignment for any     |
| admin        | all                            | everything                                  |

Everyone reads municipalities, districts, themes, categories and walks; only planners
and administrators see join codes. An observation the caller may not read is a 404.

Photos go with their observation: whoever reads it sees its photos; staff, planners and
administrators add photos to any, a participant to their own while the walk is open.
Exports are for staff, planners and administrators (internal observations included).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.auth import participant_of
from walks.models import Observation
from walks.roles import Role, role_of

INTERNAL_READERS = (Role.STAFF, Role.PLANNER, Role.ADMIN)
CREATORS = (Role.PARTICIPANT, Role.PLANNER, Role.ADMIN)
EDITORS = (Role.PARTICIPANT, Role.PLANNER, Role.ADMIN)
DELETERS = (Role.PARTICIPANT, Role.ADMIN)
ASSIGNERS = (Role.STAFF, Role.PLANNER, Role.ADMIN)
PHOTOGRAPHERS = (Role.STAFF, Role.PLANNER, Role.ADMIN)
EXPORTERS = (Role.STAFF, Role.PLANNER, Role.ADMIN)


def caller_role(request) -> Role:
    """The caller's role, worked out once per request."""
    role = getattr(request, "_lyhty_role", None)
    if role is None:
        role = Role.PARTICIPANT if participant_of(request) else role_of(request.user)
        request._lyhty_role = role
    return role


def reads_internal(request) -> bool:
    return caller_role(request) in INTERNAL_READERS


def sees_join_codes(request) -> bool:
    return caller_role(request) in (Role.PLANNER, Role.ADMIN)


def observations_for(request):
    """The observations the caller may read."""
    if reads_internal(request):
        return Observation.objects.all()
    public = Observation.objects.visible_to_public()
    participant = participant_of(request)
    if participant is not None:
        return public | Observation.objects.filter(participant=participant)
    return public


def is_their_own(request, observation: Observation) -> bool:
    participant = participant_of(request)
    return participant is not None and observation.participant_id == participant.pk


def may_view_photos(request, observation: Observation) -> bool:
    """Whoever may read the observation sees its photos."""
    return observations_for(request).filter(pk=observation.pk).exists()


def may_add_photo(request, observation: Observation) -> bool:
    """Staff, planners and administrators on any observation; a participant on their own
    while its walk is open."""
    if caller_role(request) in PHOTOGRAPHERS:
        return True
    return (
        is_their_own(request, observation)
        and observation.walk is not None
        and observation.walk.is_open
    )


def unit_ids_of(user) -> set[int]:
    return set(user.units.values_list("id", flat=True))


def is_their_unit(user, observation: Observation) -> bool:
    units = unit_ids_of(user)
    return bool(units & {observation.category.default_unit_id, observation.responsible_unit_id})


# `anonymous_methods`: the methods a permission lets anyone use without credentials, for
# the OpenAPI document (api.schemas.AutoSchema says so in each operation's security).


class ReadOnly(BasePermission):
    """Reference data: anyone reads, nobody writes through the API."""

    anonymous_methods = SAFE_METHODS

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS


class AnyoneMayJoin(BasePermission):
    anonymous_methods = ("POST",)

    def has_permission(self, request, view):
        return request.method == "POST"


class DecidedPerObservation(BasePermission):
    """Photos: anyone who may read the observation sees them (the public too, for a public
    one); adding one is decided against the observation in the view (may_add_photo)."""

    anonymous_methods = SAFE_METHODS

    def has_permission(self, request, view):
        return True


class ObservationAccess(BasePermission):
    message = _("Your role does not allow this.")
    anonymous_methods = SAFE_METHODS  # what the public may read, that is

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        role = caller_role(request)
        allowed = {"POST": CREATORS, "PATCH": EDITORS, "DELETE": DELETERS}.get(request.method, ())
        if role not in allowed:
            return False
        participant = participant_of(request)
        if participant is not None and not participant.walk.is_open:
            self.message = _("The walk is closed: observations can no longer be changed.")
            return False
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        participant = participant_of(request)
        if participant is not None:
            if obj.participant_id != participant.pk:
                self.message = _("You can change only your own observations.")
                return False
            return True
        return caller_role(request) in (Role.PLANNER, Role.ADMIN)


class MayExport(BasePermission):
    message = _("Exports are for planners, department staff and administrators.")

    def has_permission(self, request, view):
        return caller_role(request) in EXPORTERS


class MayAssign(BasePermission):
    """Status changes and assignment: staff for their units' observations, planners for any."""

    message = _("Only the responsible unit, a planner or an administrator can do this.")

    def has_permission(self, request, view):
        return caller_role(request) in ASSIGNERS

    def has_object_permission(self, request, view, obj):
        if caller_role(request) == Role.STAFF:
            return is_their_unit(request.user, obj)
        return True
