# SPDX-License-Identifier: EUPL-1.2
"""Who may read and change what, for every endpoint: the rules of walks.roles, asked here.

Everyone reads municipalities, districts, themes, categories and walks; only planners
and administrators see join codes. An observation the caller may not read is a 404.
Members (walks.roles) count in their municipalities only: elsewhere they read what the
public reads, and changing anything there is refused as it would be for the public.

Photos go with their observation: whoever reads it sees its photos; staff, planners and
administrators add photos to any, a participant to their own while the walk is open.
Exports are for staff, planners and administrators (internal observations included).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.auth import participant_of
from walks import roles
from walks.models import Observation, SafetyWalk
from walks.roles import Role, role_of


def caller(request):
    """The walk participant the request's key names, else the request's user."""
    return participant_of(request) or request.user


def caller_role(request) -> Role:
    """The caller's role, worked out once per request."""
    role = getattr(request, "_lyhty_role", None)
    if role is None:
        role = request._lyhty_role = role_of(caller(request))
    return role


def reads_internal(request) -> bool:
    return roles.reads_internal(caller_role(request))


def sees_join_codes(request) -> bool:
    return roles.organises(caller_role(request))


def scope_where(request, may):
    """Where the caller's role passes `may`: True (everywhere, administrators), or the set
    of municipality ids (empty: nowhere), for api.serializers.only_in."""
    if not may(caller_role(request)) or participant_of(request) is not None:
        return set()
    scope = roles.municipalities_of(request.user, having=may)
    return True if scope is None else scope


def internal_scope(request):
    """Where the caller reads internal observations and properties."""
    return scope_where(request, roles.reads_internal)


def join_code_scope(request):
    """Where the caller sees join codes."""
    return scope_where(request, roles.organises)


def role_there(request, municipality_id) -> Role:
    """The caller's role in one municipality."""
    return roles.role_in(caller(request), municipality_id)


def reads_internal_in(request, municipality_id) -> bool:
    return roles.reads_internal(role_there(request, municipality_id))


def tracks_for(request):
    """The walks whose recorded tracks the caller may read: those of the municipalities
    where they read internal observations."""
    scope = internal_scope(request)
    walks = SafetyWalk.objects.filter(track__isnull=False)
    return walks if scope is True else walks.filter(municipality_id__in=scope)


def observations_for(request, municipality=None):
    """The observations the caller may read; with the `municipality` a query is narrowed to,
    all of them when the caller reads everything there, without the readability test's
    join and OR (the same rows once the query's municipality filter applies)."""
    if municipality is not None and reads_internal_in(request, municipality.pk):
        return Observation.objects.all()
    return Observation.objects.readable_by(caller(request), caller_role(request))


def audience(request) -> str:
    """Names what observations_for gives the caller, for cache keys: "all", "public",
    "members:<municipality ids>" (everything there, the public's elsewhere) or
    "participant:<id>" (the public's and the participant's own)."""
    scope = internal_scope(request)
    if scope is True:
        return "all"
    if scope:
        return "members:" + ",".join(str(pk) for pk in sorted(scope))
    participant = participant_of(request)
    return f"participant:{participant.pk}" if participant else "public"


def is_their_own(request, observation: Observation) -> bool:
    participant = participant_of(request)
    return participant is not None and observation.participant_id == participant.pk


def may_view_photos(request, observation: Observation) -> bool:
    """Whoever may read the observation sees its photos."""
    return observations_for(request).filter(pk=observation.pk).exists()


def may_add_photo(request, observation: Observation) -> bool:
    """Staff, planners and administrators on any observation of their municipalities; a
    participant on their own while its walk is open."""
    if roles.adds_photos_to_any(role_there(request, observation.municipality_id)):
        return True
    return (
        is_their_own(request, observation)
        and observation.walk is not None
        and observation.walk.is_open
    )


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
        may = {
            "POST": roles.creates_observations,
            "PATCH": roles.edits_observations,
            "DELETE": roles.deletes_observations,
        }.get(request.method)
        if may is None or not may(caller_role(request)):
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
        return roles.organises(role_there(request, obj.municipality_id))


class MayExport(BasePermission):
    message = _("Exports are for planners, department staff and administrators.")

    def has_permission(self, request, view):
        return roles.exports(caller_role(request))


class MayAssign(BasePermission):
    """Status changes and assignment: staff for their units' observations, planners for any,
    in their municipalities."""

    message = _("Only the responsible unit, a planner or an administrator can do this.")

    def has_permission(self, request, view):
        return roles.assigns(caller_role(request))

    def has_object_permission(self, request, view, obj):
        return roles.assigns_this(request.user, obj)
