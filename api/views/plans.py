# SPDX-License-Identifier: EUPL-1.2
"""Safety plans: read by everyone once published (drafts by planners and administrators),
and actions made from a hotspot on the map (planners and administrators). An action's
`responsible_person` (a civil servant's name) is given to staff, planners and
administrators only.

Everyone but planners and administrators reads a plan as last published (its latest
revision, plans.published); planners and administrators read the working copy, with
`unpublished_changes` telling whether it differs, or the published one with
`?version=published`. `last_updated` is the date of the last publication. Every text
comes in the reader's language (`title`) and in each language (`title_fi`, `title_sv`,
`title_en`; empty when missing).

`POST /api/v1/actions/` is the map page's "Create action" contract:

    {"plan": 7, "title": "…", "district": 12}            or "area": {GeoJSON Polygon, EPSG:4326}
     "filters": {"theme": "lighting", "status": "new,confirmed", …}   same names as the list
     optional: description, priority, year, deadline, owner_kind, owner_name,
               responsible_person, status, indicator, baseline, target, current_value,
               title_fi, title_sv, title_en (and description_…, indicator_…)

`title`, `description` and `indicator` are in the caller's language (Accept-Language);
the suffixed names set one language each. → 201 with the action (its linked observations
counted) and `plan_url`, the plan page. In a published plan the new action is a draft
until a planner publishes the plan again.

With `"key": "<UUID>"` (the page makes one per dialog) the request is idempotent: a repeat
with the same key (a double click, a retry) makes nothing and answers 200 with the action
the first one made.

`PATCH /api/v1/actions/<id>/` with `status` and/or `current_value` reports an action's
progress: for its owner partner organisation (walks.roles.owns_action), the planners of
its municipality and administrators (plans.partners.report_progress).

Drafts and action changes are for the planners of the plan's municipality (walks.roles):
another municipality's planner reads its published plans as the public does.
"""

import json

from django.contrib.gis.geos import GEOSException, Polygon
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from api.filters import ObservationFilters, read_query
from api.geojson import geometry_schema
from api.permissions import caller, caller_role, observations_for, reads_internal_in
from api.schemas import BAD_REQUEST, FORBIDDEN, ID, NOT_FOUND
from api.serializers import CRS_MESSAGE, _position, language, wrong_crs
from api.views.common import LyhtyView
from geo.models import District
from plans.models import LANGUAGES, Action, ActionStatus, OwnerKind, SafetyPlan
from plans.partners import report_progress
from plans.published import (
    content_for,
    count_observations,
    has_unpublished_changes,
    latest_revision,
)
from plans.services import action_from_hotspot
from walks import roles
from walks.filters import apply_filters

TAG = ["plans"]


def sees_drafts(request) -> bool:
    return roles.organises(caller_role(request))


def plans_for(request):
    """The plans the caller may read: published ones, and drafts of the municipalities
    where they are a planner (all for administrators)."""
    plans = SafetyPlan.objects.select_related("municipality")
    scope = plans_to_change(request)
    return plans if scope is None else plans.published() | plans.filter(municipality__in=scope)


def plans_to_change(request) -> set[int] | None:
    """The municipalities whose plans the caller changes (None: all)."""
    if not sees_drafts(request):
        return set()
    return roles.municipalities_of(caller(request), having=roles.organises)


class PlanAccess(BasePermission):
    message = _("Only planners and administrators can change the safety plan.")
    anonymous_methods = SAFE_METHODS  # published plans

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or roles.organises(caller_role(request))


# --- reading ------------------------------------------------------------------------------


class PlanParameters(serializers.Serializer):
    municipality = serializers.CharField(
        required=False, max_length=10, help_text=_("Municipality code.")
    )


def plan_page_url(request, plan) -> str:
    url = reverse("plan-page", kwargs={"code": plan.municipality.code})
    return request.build_absolute_uri(f"{url}?plan={plan.pk}")


def reads_published(request, plan) -> bool:
    """The published content, unless the caller changes the plans of this plan's
    municipality and does not ask for the published one."""
    if request.GET.get("version") == "published":
        return True
    scope = plans_to_change(request)
    return scope is not None and plan.municipality_id not in scope


def texts(obj, *names) -> dict:
    """Each text in the reader's language and in every language."""
    found = {}
    for name in names:
        found[name] = str(getattr(obj, name))
        for code in LANGUAGES:
            found[f"{name}_{code}"] = getattr(obj, f"{name}_{code}")
    return found


def plan_summary(request, content) -> dict:
    plan = content.plan
    revision = content.revision or (latest_revision(plan) if plan.is_published else None)
    return {
        "id": plan.pk,
        "municipality": {"code": plan.municipality.code, "name": plan.municipality.name},
        **texts(plan, "title", "summary"),
        "period": {"start": plan.period_start, "end": plan.period_end},
        "state": plan.state,
        "published_at": plan.published_at,
        "last_updated": revision.published_at if revision else None,
        **(
            {"unpublished_changes": has_unpublished_changes(plan)}
            if content.revision is None and plan.is_published
            else {}
        ),
        "url": request.build_absolute_uri(reverse("plan-detail", kwargs={"id": plan.pk})),
        "page_url": plan_page_url(request, plan),
    }


def action_json(request, action) -> dict:
    """An action; the responsible person's name only for staff, planners and
    administrators (the public sees the owner organisation)."""
    named = reads_internal_in(request, action.plan.municipality_id)
    return {
        "id": action.pk,
        "plan": action.plan_id,
        "priority": action.priority_id,
        "year": action.year,
        **texts(action, "title", "description"),
        "owner_kind": action.owner_kind,
        "owner_name": action.owner_name,
        **({"responsible_person": action.responsible_person} if named else {}),
        "deadline": action.deadline,
        "status": action.status,
        **texts(action, "indicator"),
        "baseline": action.baseline,
        "target": action.target,
        "current_value": action.current_value,
        "district": action.district_id,
        "area": json.loads(action.geom.geojson) if action.geom else None,
        "filters": action.source_filters,
        "observations": action.observation_count,
        "walks": sorted(action.walk_ids),
        "plan_url": plan_page_url(request, action.plan),
    }


def counted_action_json(request, action) -> dict:
    """action_json of an action read from the database (the working copy): its linked
    observations that the caller may see counted, and the walks they come from."""
    linked = action.observations.values_list("pk", "walk_id")
    action.observation_ids = {pk for pk, _walk in linked}
    action.walk_ids = sorted({walk for _pk, walk in linked if walk is not None})
    count_observations([action], observations_for(request))
    return action_json(request, action)


def plan_detail(request, content) -> dict:
    actions = count_observations(content.actions, observations_for(request))
    return {
        **plan_summary(request, content),
        "priorities": [
            {
                "id": priority.pk,
                "theme": {"code": priority.theme.code, "name": priority.theme.name},
                "district": (
                    {"id": priority.district.pk, "name": priority.district.display_name}
                    if priority.district
                    else None
                ),
                **texts(priority, "reason"),
                "order": priority.order,
            }
            for priority in content.priorities
        ],
        "actions": [action_json(request, action) for action in actions],
        "promises": [
            {
                "id": promise.pk,
                **texts(promise, "title", "text"),
                "police": promise.police,
                "priorities": sorted(promise.priority_ids),
            }
            for promise in content.promises
        ],
    }


_PLAN = {"type": "object", "additionalProperties": True}


class PlanList(LyhtyView):
    permission_classes = [PlanAccess]

    @extend_schema(
        tags=TAG,
        summary="Safety plans: published ones, and drafts for planners and administrators",
        operation_id="v1_plans_list",
        parameters=[PlanParameters],
        responses={200: _PLAN, 400: BAD_REQUEST},
    )
    def get(self, request):
        query = read_query(request, PlanParameters)
        plans = plans_for(request).latest_first()
        if "municipality" in query:
            plans = plans.in_municipality(query["municipality"])
        results = [
            plan_summary(request, content_for(plan, public=reads_published(request, plan)))
            for plan in plans
        ]
        return Response({"count": len(results), "results": results})


class PlanDetail(LyhtyView):
    permission_classes = [PlanAccess]

    @extend_schema(
        tags=TAG,
        summary="One safety plan with its priorities, actions and citizen promises",
        parameters=[ID],
        responses={200: _PLAN, 404: NOT_FOUND},
    )
    def get(self, request, id):
        plan = get_object_or_404(plans_for(request), pk=id)
        content = content_for(plan, public=reads_published(request, plan))
        return Response(plan_detail(request, content))


# --- an action from a hotspot ------------------------------------------------------------


@extend_schema_field(geometry_schema("Polygon"))
class GeoJSONPolygonField(serializers.Field):
    default_error_messages = {
        "type": _("Give a GeoJSON Polygon in WGS84 longitude/latitude."),
        "ring": _("Each ring of a Polygon is a closed list of at least four positions."),
        "invalid": _("The polygon is not valid: %(reason)s."),
        "empty": _("The polygon has no area."),
        "positions": _("An area has at most %(max)s positions."),
    }
    # An action's area is drawn by hand or taken from a district: thousands of positions
    # are plenty, and a cap keeps a hostile polygon from costing the server its validation.
    MAX_POSITIONS = 5000

    def to_internal_value(self, data):
        if not isinstance(data, dict) or data.get("type") != "Polygon":
            self.fail("type")
        if wrong_crs(data):
            raise ValidationError(CRS_MESSAGE)
        rings = data.get("coordinates")
        if not isinstance(rings, list) or not rings:
            self.fail("ring")
        positions = []
        if sum(len(ring) if isinstance(ring, list) else 0 for ring in rings) > self.MAX_POSITIONS:
            # DRF's fail() formats with str.format; these messages are %-style for gettext.
            raise ValidationError(self.error_messages["positions"] % {"max": self.MAX_POSITIONS})
        for ring in rings:
            if not isinstance(ring, list) or len(ring) < 4:
                self.fail("ring")
            points = []
            for value in ring:
                position, error = _position(value)
                if error:
                    raise ValidationError(error)
                points.append(position)
            if points[0] != points[-1]:
                self.fail("ring")
            positions.append(points)
        try:
            polygon = Polygon(*positions, srid=4326)
        except (GEOSException, ValueError, TypeError):
            self.fail("ring")
        if not polygon.valid:
            raise ValidationError(self.error_messages["invalid"] % {"reason": polygon.valid_reason})
        if polygon.area == 0:
            self.fail("empty")
        return polygon

    def to_representation(self, value):
        return json.loads(value.geojson)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "The observation list's query parameters, e.g. "
        '{"theme": "lighting", "status": "new,confirmed"}.',
    }
)
class FiltersField(serializers.Field):
    """A JSON object of observation filters, checked exactly like the list's query."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise ValidationError(_("Give the filters as a JSON object."))
        form = ObservationFilters()
        errors, query = {}, {}
        for name, value in data.items():
            if name not in form.fields:
                errors[name] = [_("Unknown filter.")]
            elif isinstance(value, bool):
                query[name] = "true" if value else "false"
            elif isinstance(value, list):
                query[name] = ",".join(str(item) for item in value)
            elif isinstance(value, str | int | float):
                query[name] = str(value)
            else:
                errors[name] = [_("Give a text, a number or a list.")]
        if errors:
            raise ValidationError(errors)
        form = ObservationFilters(data=query)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return {"raw": data, "query": form.validated_data}

    def to_representation(self, value):
        return value["raw"]


TEXT_LENGTHS = {"title": 200, "description": 5000, "indicator": 200}


class ActionCreate(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=10**18 - 1)
    title = serializers.CharField(required=False, max_length=200)
    key = serializers.UUIDField(
        required=False,
        help_text=_(
            "A UUID the caller makes for this action: a repeated request with the same "
            "key makes no second action."
        ),
    )
    district = serializers.IntegerField(required=False, min_value=1, max_value=10**18 - 1)
    area = GeoJSONPolygonField(required=False)
    filters = FiltersField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    priority = serializers.IntegerField(required=False, min_value=1, max_value=10**18 - 1)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    deadline = serializers.DateField(required=False)
    owner_kind = serializers.ChoiceField(OwnerKind.choices, required=False)
    owner_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    responsible_person = serializers.CharField(required=False, allow_blank=True, max_length=200)
    status = serializers.ChoiceField(ActionStatus.choices, required=False)
    indicator = serializers.CharField(required=False, allow_blank=True, max_length=200)
    baseline = serializers.FloatField(required=False)
    target = serializers.FloatField(required=False)
    current_value = serializers.FloatField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        for name, length in TEXT_LENGTHS.items():
            for code in LANGUAGES:
                fields[f"{name}_{code}"] = serializers.CharField(
                    required=False, allow_blank=True, max_length=length
                )
        return fields

    def validate(self, attrs):
        # The unsuffixed texts are in the caller's language; a suffixed one says its own.
        for name in TEXT_LENGTHS:
            if name in attrs:
                attrs.setdefault(f"{name}_{language()}", attrs.pop(name))
        if not any(attrs.get(f"title_{code}") for code in LANGUAGES):
            raise ValidationError({"title": [_("Give the action a title.")]})
        request = self.context["request"]
        plan = plans_for(request).filter(pk=attrs["plan"]).first()
        if plan is None:
            raise ValidationError({"plan": [_("No safety plan has this id.")]})
        scope = plans_to_change(request)
        if scope is not None and plan.municipality_id not in scope:
            raise PermissionDenied(_("You can change only your own municipalities' plans."))
        attrs["plan"] = plan
        if ("district" in attrs) == ("area" in attrs):
            raise ValidationError(
                {"district": [_("Give either a district or an area (not both).")]}
            )
        if "district" in attrs:
            district = District.objects.filter(
                pk=attrs["district"], municipality=plan.municipality
            ).first()
            if district is None:
                raise ValidationError(
                    {"district": [_("No district with this id is in the plan's municipality.")]}
                )
            attrs["district"] = district
        if "priority" in attrs:
            priority = plan.priorities.filter(pk=attrs["priority"]).first()
            if priority is None:
                raise ValidationError({"priority": [_("The plan has no priority with this id.")]})
            attrs["priority"] = priority
        return attrs


ACTION_EXAMPLE = {
    "plan": 1,
    "title": "More light on the station underpass",
    "district": 2,
    "filters": {"theme": "lighting", "status": "new,confirmed"},
    "owner_kind": "municipal",
    "owner_name": "Street lighting",
    "deadline": "2026-10-31",
}


class ActionCreateView(LyhtyView):
    permission_classes = [PlanAccess]

    @extend_schema(
        tags=TAG,
        summary="Create an action from a hotspot, linking its observations",
        description="A district or a GeoJSON Polygon (EPSG:4326) and the observation list's "
        "filters choose the hotspot; every observation of the plan's municipality inside it "
        "that matches the filters is linked to the new action, in one statement. Planners "
        "and administrators only.",
        request=ActionCreate,
        responses={201: _PLAN, 200: _PLAN, 400: BAD_REQUEST, 403: FORBIDDEN},
        examples=[OpenApiExample("from a district", value=ACTION_EXAMPLE, request_only=True)],
    )
    def post(self, request):
        form = ActionCreate(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        plan = data.pop("plan")
        key = data.pop("key", None)
        filters = data.pop("filters", {"raw": {}, "query": {}})
        observations = apply_filters(observations_for(request), filters["query"])
        made = self.made_with(request, key, plan)
        if made is not None:
            return made
        try:
            action = action_from_hotspot(
                plan,
                observations,
                filters=filters["raw"],
                created_by=request.user if request.user.is_authenticated else None,
                request_key=key,
                **data,
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        except IntegrityError:
            # Another request with the same key made it meanwhile (the key is unique).
            made = self.made_with(request, key, plan)
            if made is None:
                raise
            return made
        return Response(counted_action_json(request, action), status=status.HTTP_201_CREATED)

    @staticmethod
    def made_with(request, key, plan) -> Response | None:
        """The answer to a repeated request: the action its key made (200), or None."""
        if key is None:
            return None
        action = Action.objects.select_related("plan__municipality").filter(request_key=key).first()
        if action is None:
            return None
        if action.plan_id != plan.pk:
            raise ValidationError({"key": [_("This key was used for an action of another plan.")]})
        return Response(counted_action_json(request, action), status=status.HTTP_200_OK)


# --- an action's progress: its owner partner, or a planner of its municipality ------------


class ActionProgress(serializers.Serializer):
    status = serializers.ChoiceField(ActionStatus.choices, required=False)
    current_value = serializers.FloatField(required=False, allow_null=True)


class MayReportProgress(BasePermission):
    message = _(
        "Only the action's owner organisation, a planner or an administrator can change this."
    )

    def has_permission(self, request, view):
        return request.user.is_authenticated

    def has_object_permission(self, request, view, obj):
        municipality = obj.plan.municipality_id
        return roles.owns_action(request.user, obj) or roles.organises(
            roles.role_in(request.user, municipality)
        )


class ActionDetail(LyhtyView):
    permission_classes = [MayReportProgress]

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="Report an action's progress: its status and the indicator's current value",
        description="For the partner organisation that owns the action (the police, the "
        "rescue service, an NGO, a housing company: a partner of the plan's municipality "
        "whose organisation is the action's owner), and for planners of the municipality "
        "and administrators. Other fields cannot be changed here.",
        request=ActionProgress,
        responses={200: _PLAN, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request, id):
        action = Action.objects.select_related("plan__municipality").filter(pk=id).first()
        readable = plans_for(request).filter(pk=getattr(action, "plan_id", None)).exists()
        if action is None or not (readable or roles.owns_action(request.user, action)):
            raise NotFound
        self.check_object_permissions(request, action)
        unknown = (
            set(request.data) - set(ActionProgress().fields)
            if isinstance(request.data, dict)
            else set()
        )
        if unknown:
            raise ValidationError(
                {name: [_("This cannot be changed here.")] for name in sorted(unknown)}
            )
        form = ActionProgress(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        try:
            report_progress(
                action,
                status=values.get("status", action.status),
                current_value=values.get("current_value", action.current_value),
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        action = Action.objects.select_related("plan__municipality").get(pk=action.pk)
        return Response(counted_action_json(request, action))
