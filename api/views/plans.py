# SPDX-License-Identifier: EUPL-1.2
"""Safety plans: read by everyone once published (drafts by planners and administrators),
and actions made from a hotspot on the map (planners and administrators). An action's
`responsible_person` (a civil servant's name) is given to staff, planners and
administrators only.

`POST /api/v1/actions/` is the map page's "Create action" contract:

    {"plan": 7, "title": "…", "district": 12}            or "area": {GeoJSON Polygon, EPSG:4326}
     "filters": {"theme": "lighting", "status": "new,confirmed", …}   same names as the list
     optional: description, priority, year, deadline, owner_kind, owner_name,
               responsible_person, status, indicator, baseline, target, current_value

→ 201 with the action (its linked observations counted) and `plan_url`, the plan page.

`PATCH /api/v1/actions/<id>/` with `status` and/or `current_value` reports an action's
progress: for its owner partner organisation (walks.roles.owns_action), the planners of
its municipality and administrators (plans.partners.report_progress).

Drafts and action changes are for the planners of the plan's municipality (walks.roles):
another municipality's planner reads its published plans as the public does.
"""

import json

from django.contrib.gis.geos import GEOSException, Polygon
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
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
from api.serializers import CRS_MESSAGE, _position, wrong_crs
from api.views.common import LyhtyView
from geo.models import District
from plans.models import Action, ActionStatus, OwnerKind, Priority, SafetyPlan
from plans.partners import report_progress
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


def plan_summary(request, plan) -> dict:
    return {
        "id": plan.pk,
        "municipality": {"code": plan.municipality.code, "name": plan.municipality.name},
        "title": plan.title,
        "period": {"start": plan.period_start, "end": plan.period_end},
        "state": plan.state,
        "published_at": plan.published_at,
        "summary": plan.summary,
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
        "title": action.title,
        "description": action.description,
        "owner_kind": action.owner_kind,
        "owner_name": action.owner_name,
        **({"responsible_person": action.responsible_person} if named else {}),
        "deadline": action.deadline,
        "status": action.status,
        "indicator": action.indicator,
        "baseline": action.baseline,
        "target": action.target,
        "current_value": action.current_value,
        "district": action.district_id,
        "area": json.loads(action.geom.geojson) if action.geom else None,
        "filters": action.source_filters,
        "observations": action.observation_count,
        "walks": sorted(walk.pk for walk in action.walks.all()),
        "plan_url": plan_page_url(request, action.plan),
    }


def plan_detail(request, plan) -> dict:
    actions = (
        plan.actions.select_related("plan__municipality")
        .counting(observations_for(request))
        .prefetch_related("walks")
    )
    priorities = plan.priorities.select_related("theme", "district")
    promises = plan.promises.prefetch_related(Prefetch("priorities", Priority.objects.only("pk")))
    return {
        **plan_summary(request, plan),
        "priorities": [
            {
                "id": priority.pk,
                "theme": {"code": priority.theme.code, "name": priority.theme.name},
                "district": (
                    {"id": priority.district.pk, "name": priority.district.display_name}
                    if priority.district
                    else None
                ),
                "reason": priority.reason,
                "order": priority.order,
            }
            for priority in priorities
        ],
        "actions": [action_json(request, action) for action in actions],
        "promises": [
            {
                "id": promise.pk,
                "title": promise.title,
                "text": promise.text,
                "police": promise.police,
                "priorities": sorted(p.pk for p in promise.priorities.all()),
            }
            for promise in promises
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
        results = [plan_summary(request, plan) for plan in plans]
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
        return Response(plan_detail(request, get_object_or_404(plans_for(request), pk=id)))


# --- an action from a hotspot ------------------------------------------------------------


@extend_schema_field(geometry_schema("Polygon"))
class GeoJSONPolygonField(serializers.Field):
    default_error_messages = {
        "type": _("Give a GeoJSON Polygon in WGS84 longitude/latitude."),
        "ring": _("Each ring of a Polygon is a closed list of at least four positions."),
        "invalid": _("The polygon is not valid: %(reason)s."),
        "empty": _("The polygon has no area."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict) or data.get("type") != "Polygon":
            self.fail("type")
        if wrong_crs(data):
            raise ValidationError(CRS_MESSAGE)
        rings = data.get("coordinates")
        if not isinstance(rings, list) or not rings:
            self.fail("ring")
        positions = []
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
            self.fail("invalid", reason=polygon.valid_reason)
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


class ActionCreate(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=10**18 - 1)
    title = serializers.CharField(max_length=200)
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

    def validate(self, attrs):
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
        responses={201: _PLAN, 400: BAD_REQUEST, 403: FORBIDDEN},
        examples=[OpenApiExample("from a district", value=ACTION_EXAMPLE, request_only=True)],
    )
    def post(self, request):
        form = ActionCreate(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        plan = data.pop("plan")
        filters = data.pop("filters", {"raw": {}, "query": {}})
        observations = apply_filters(observations_for(request), filters["query"])
        try:
            action = action_from_hotspot(
                plan,
                observations,
                filters=filters["raw"],
                created_by=request.user if request.user.is_authenticated else None,
                **data,
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        action = Action.objects.counting(observations_for(request)).get(pk=action.pk)
        return Response(action_json(request, action), status=status.HTTP_201_CREATED)


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
        action = Action.objects.counting(observations_for(request)).get(pk=action.pk)
        return Response(action_json(request, action))
