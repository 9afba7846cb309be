# SPDX-License-Identifier: EUPL-1.2
"""Observations: listed and read as GeoJSON, created idempotently, one or 500 at a time."""

import functools

from django.conf import settings
from django.contrib.gis.geos import LineString, Point
from django.db import connection, transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.auth import participant_of
from api.filters import ORDERINGS, ObservationListParameters, read_query
from api.geojson import GEOJSON
from api.permissions import MayAssign, ObservationAccess, caller_role, observations_for
from api.permissions import internal_scope as internal
from api.schemas import (
    BAD_REQUEST,
    BULK_RESULT,
    FORBIDDEN,
    HISTORY,
    ID,
    INCOMING,
    NOT_FOUND,
    OBSERVATION_COLLECTION,
    OBSERVATION_FEATURE,
    PATCH_FEATURE,
    errors,
)
from api.serializers import (
    CRS_MESSAGE,
    STORED_AS_READ,
    InternalStatusChangeSerializer,
    StatusChangeSerializer,
    TransitionSerializer,
    observation_feature,
    read_observation,
    wrong_crs,
)
from api.views.clusters import count_in_view, kept_cells
from api.views.common import (
    LyhtyView,
    PayloadTooLarge,
    geojson_response,
    paged_features,
    refuse_oversized_body,
)
from geo.models import Municipality
from walks import roles
from walks.filters import apply_filters
from walks.models import (
    AuditAction,
    AuditEvent,
    Category,
    InvalidTransition,
    Observation,
    SafetyWalk,
    Source,
    Status,
    Visibility,
)
from walks.services import (
    NOT_YOUR_MUNICIPALITY,
    OUTSIDE_MUNICIPALITY,
    NewObservation,
    place_in_municipalities,
    submit_observations,
)

TAG = ["observations"]

EXAMPLE_FEATURE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [26.92, 60.46]},
    "properties": {
        "uuid": "0b8f5a3e-2c1d-4f6a-9e7b-1a2b3c4d5e6f",
        "category": "lamp_out",
        "severity": 3,
        "light_condition": "dark",
        "observed_at": "2026-11-20T18:30:00+02:00",
        "accuracy_m": 8,
    },
}


def visible_observation(request, pk, *, for_update=False) -> Observation:
    observations = observations_for(request).select_related("category", "participant__walk")
    if for_update:
        observations = Observation.objects.select_for_update().filter(
            pk__in=observations.filter(pk=pk).values("pk")
        )
    observation = observations.filter(pk=pk).first()
    if observation is None:
        raise Http404
    return observation


@functools.lru_cache(maxsize=64)
def _feature_statement(scope, language) -> tuple[str, tuple]:
    """The statement that gives one observation (by id) as a Feature for a reading scope
    (api.permissions.internal_scope, made hashable) in a language (the address line is the
    reader's), compiled once per worker: Django takes longer (6–10 ms) to compile the
    Feature's expression than PostGIS takes to run it. PostgreSQL pushes the id into the
    subquery, onto the primary key."""
    rows = Observation.objects.order_by().annotate(_feature=observation_feature(internal=scope))
    sql, params = rows.values_list("pk", "_feature").query.sql_with_params()
    return f"SELECT page.feature::text FROM ({sql}) AS page(id, feature) WHERE page.id = %s", params


def feature_response(request, pk, status=200):
    scope = internal(request)
    sql, params = _feature_statement(
        scope if scope is True else frozenset(scope), translation.get_language()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return geojson_response(row[0].encode(), status=status)


def caller_uuid(feature):
    """The UUID a rejected item named, so the client can match the answer to its queue."""
    if not isinstance(feature, dict):
        return None
    properties = feature.get("properties")
    given = properties.get("uuid") if isinstance(properties, dict) else None
    given = given if given is not None else feature.get("id")
    return given if isinstance(given, str) else None


def read_batch(request, features) -> list[dict]:
    """Check every feature, store the valid ones in one go; one outcome per feature."""
    participant = participant_of(request)
    staff = participant is None
    categories = {c.code: c for c in Category.objects.filter(active=True)}
    drafts = [read_observation(f, categories=categories, staff=staff) for f in features]
    codes = {values["municipality"] for values, _errors in drafts if "municipality" in values}
    municipalities = dict(
        Municipality.objects.filter(code__in=codes).values_list("code", "id") if codes else ()
    )
    walk_ids = {values["walk"] for values, _errors in drafts if values.get("walk")}
    walks = dict(
        SafetyWalk.objects.filter(pk__in=walk_ids).values_list("id", "municipality_id")
        if walk_ids
        else ()
    )
    answers = [None] * len(features)
    items, positions = [], []
    # What every item of the caller shares, read once (request.user is a property).
    if participant is not None:
        shared = {
            "walk_id": participant.walk_id,
            "participant_id": participant.pk,
            "municipality_id": participant.walk.municipality_id,
        }
    else:
        shared = {"reporter_id": request.user.pk, "source": Source.STAFF}
    for n, (values, errors_) in enumerate(drafts):
        extra = dict(shared)
        if participant is None:
            if values.get("walk"):
                if values["walk"] not in walks:
                    errors_["walk"] = [_("No walk has this id.")]
                else:
                    extra["walk_id"] = values["walk"]
                    extra["source"] = Source.WALK
                    extra["municipality_id"] = walks[values["walk"]]
            if "municipality" in values:
                found = municipalities.get(values["municipality"])
                if found is None:
                    errors_["municipality"] = [_("No municipality has this code.")]
                elif extra.setdefault("municipality_id", found) != found:
                    errors_["municipality"] = [_("The walk is in another municipality.")]
        if errors_:
            answers[n] = {
                "uuid": caller_uuid(features[n]),
                "result": "rejected",
                "id": None,
                "errors": errors_,
            }
            continue
        fields = {k: v for k, v in values.items() if k not in ("municipality", "walk")}
        items.append(NewObservation(**fields, **extra))
        positions.append(n)
    within = None if participant else roles.municipalities_of(request.user, having=roles.organises)
    for n, outcome in zip(positions, submit_observations(items, within=within), strict=True):
        answer = {"uuid": str(outcome.uuid), "result": outcome.result, "id": outcome.id}
        answer["errors"] = outcome.errors
        if outcome.errors.get("municipality") == [NOT_YOUR_MUNICIPALITY]:
            answer["forbidden"] = True
        if outcome.result == "exists" and participant and outcome.participant_id != participant.pk:
            answer |= {
                "result": "rejected",
                "id": None,
                "errors": {"uuid": [_("Another observation already has this UUID.")]},
                "conflict": True,
            }
        answers[n] = answer
    return answers


class ObservationList(LyhtyView):
    permission_classes = [ObservationAccess]

    @extend_schema(
        tags=TAG,
        summary="Observations the caller may read, newest first, as a FeatureCollection",
        operation_id="v1_observations_list",
        description="Paged with `limit` and `offset`; `count` is the total matching, `next` "
        "and `previous` are the neighbouring pages (null at the ends). The public sees public "
        "observations outside sensitive categories, a walk participant also their own, staff, "
        "planners and administrators all of them (with internal properties). Any other query "
        "parameter is a 400 that names it.",
        parameters=[ObservationListParameters],
        responses={(200, GEOJSON): OBSERVATION_COLLECTION, 400: BAD_REQUEST},
    )
    def get(self, request):
        query = read_query(request, ObservationListParameters)
        readable = observations_for(request, query.get("municipality"))
        observations = apply_filters(readable, query)
        # A municipality's view without other filters (the map's first screen) is counted
        # from the cells kept on write, not row by row.
        kept = kept_cells(request, query) if "bbox" in query else None
        total = None if kept is None else count_in_view(observations, query["bbox"].extent, kept)
        return paged_features(
            request,
            query,
            observations.order_by(*ORDERINGS[query["ordering"]]),
            observation_feature(internal=internal(request)),
            total=total,
        )

    @extend_schema(
        tags=TAG,
        summary="Create observations: one Feature, or a FeatureCollection of up to 500",
        description="Idempotent: each observation carries the UUID its client made "
        "(`properties.uuid` or the feature `id`); sending it again returns the stored one and "
        "never stores a copy. One Feature: 201 when created, 200 when it was already stored, "
        "400 with field errors. A FeatureCollection: 200 with one answer per feature, in "
        "order (`created`, `exists` or `rejected` with its errors); valid features are stored "
        "even when others are rejected. A walk participant's observations go to their walk; "
        "planners give `municipality` (code) or let the point decide. Points more than 1 km "
        "outside the municipality are refused (often latitude and longitude swapped).",
        request={"application/json": INCOMING, GEOJSON: INCOMING},
        responses={
            (201, GEOJSON): OpenApiResponse(OBSERVATION_FEATURE, description="Created."),
            (200, "application/json"): OpenApiResponse(
                BULK_RESULT, description="A FeatureCollection's answers, one per feature."
            ),
            (200, GEOJSON): OpenApiResponse(
                OBSERVATION_FEATURE, description="Already stored: the stored observation."
            ),
            400: BAD_REQUEST,
            403: errors("Your role does not allow this, or not in this municipality."),
            409: errors("The UUID belongs to another caller's observation."),
            413: errors("More than 500 features, or a body over the size limit."),
        },
        examples=[OpenApiExample("one point", value=EXAMPLE_FEATURE, request_only=True)],
    )
    def post(self, request):
        refuse_oversized_body(request)
        data = request.data
        kind = data.get("type") if isinstance(data, dict) else None
        if kind == "Feature":
            return self.create_one(request, data)
        if kind != "FeatureCollection":
            return Response(
                {"type": [_("Send a GeoJSON Feature or a FeatureCollection.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if wrong_crs(data):
            return Response({"crs": [CRS_MESSAGE]}, status=status.HTTP_400_BAD_REQUEST)
        features = data.get("features")
        if not isinstance(features, list) or not features:
            return Response(
                {"features": [_("Give a non-empty list of Features.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if len(features) > settings.BULK_MAX_ITEMS:
            raise PayloadTooLarge(
                {
                    "features": [
                        _("Send at most %(max)d observations at a time, not %(count)d.")
                        % {"max": settings.BULK_MAX_ITEMS, "count": len(features)}
                    ]
                }
            )
        answers = read_batch(request, features)
        for answer in answers:
            answer.pop("conflict", None)
            answer.pop("forbidden", None)
        # A list of answers, not GeoJSON, whatever the client said it accepts.
        return Response(answers, content_type="application/json")

    def create_one(self, request, feature):
        (answer,) = read_batch(request, [feature])
        if answer["result"] == "rejected":
            code = status.HTTP_400_BAD_REQUEST
            if answer.get("conflict"):
                code = status.HTTP_409_CONFLICT
            elif answer.get("forbidden"):
                code = status.HTTP_403_FORBIDDEN
            return Response(answer["errors"], status=code)
        created = answer["result"] == "created"
        return feature_response(request, answer["id"], status=201 if created else 200)


class ObservationDetail(LyhtyView):
    permission_classes = [ObservationAccess]

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="One observation as a Feature",
        responses={(200, GEOJSON): OBSERVATION_FEATURE, 404: NOT_FOUND},
    )
    def get(self, request, id):
        visible_observation(request, id)
        return feature_response(request, id)

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="Change an observation: a participant their own while the walk is open",
        request={"application/json": PATCH_FEATURE, GEOJSON: PATCH_FEATURE},
        responses={
            (200, GEOJSON): OBSERVATION_FEATURE,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def patch(self, request, id):
        refuse_oversized_body(request)
        observation = visible_observation(request, id)
        self.check_object_permissions(request, observation)
        staff = roles.organises(caller_role(request))  # a participant is never one
        categories = {c.code: c for c in Category.objects.filter(active=True)}
        values, errors_ = read_observation(
            request.data, categories=categories, partial=True, staff=staff
        )
        for name in ("municipality", "walk"):
            if name in values:
                errors_[name] = [_("This cannot be changed here.")]
        if "lon" in values and not errors_:
            probe = NewObservation(
                uuid=observation.uuid,
                lon=values["lon"],
                lat=values["lat"],
                category=observation.category,
                municipality_id=observation.municipality_id,
            )
            if place_in_municipalities([probe]) == [None]:
                errors_["geometry"] = [OUTSIDE_MUNICIPALITY]
        if errors_:
            return Response(errors_, status=status.HTTP_400_BAD_REQUEST)
        was_visible = observation.visibility
        with transaction.atomic():
            self.apply(observation, values)
            if observation.visibility != was_visible:
                AuditEvent.record(
                    AuditAction.VISIBILITY,
                    by=request.user,
                    target=observation,
                    visibility=[was_visible, observation.visibility],
                )
        return feature_response(request, observation.pk)

    def apply(self, observation, values):
        if "lon" in values:
            observation.geom = Point(values["lon"], values["lat"], srid=4326)
            stretch = values["stretch"]
            observation.stretch = LineString(stretch["coordinates"], srid=4326) if stretch else None
        if "category" in values:
            observation.category = values["category"]
            if values["category"].is_sensitive and "visibility" not in values:
                observation.visibility = Visibility.INTERNAL
        for name in STORED_AS_READ:
            if name in values:
                setattr(observation, name, values[name])
        observation.save()

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="Delete an observation: a participant their own while the walk is open",
        description="Observations marked as duplicates of it go back to `new`, with a note in "
        "their history.",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, id):
        observation = visible_observation(request, id)
        self.check_object_permissions(request, observation)
        with transaction.atomic():
            # Its duplicates must not point at nothing: they go back to triage, on record.
            observation.reopen_duplicates(
                by=None if participant_of(request) else request.user,
                note=_("The original #%(id)d was deleted.") % {"id": observation.pk},
            )
            if not participant_of(request):
                AuditEvent.record(AuditAction.DELETED, by=request.user, target=observation)
            observation.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ObservationHistory(LyhtyView):
    permission_classes = [ObservationAccess]

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="Status changes and assignments, oldest first",
        description="Staff, planners and administrators also see the note and who made it.",
        responses={200: HISTORY, 404: NOT_FOUND},
    )
    def get(self, request, id):
        observation = visible_observation(request, id)
        history = observation.history.select_related("from_unit", "to_unit", "changed_by")
        serializer = InternalStatusChangeSerializer if internal(request) else StatusChangeSerializer
        return Response(serializer(history, many=True).data)


class ObservationTransition(LyhtyView):
    permission_classes = [MayAssign]

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="Move an observation along the workflow, optionally assigning it to a unit",
        description="Staff may do this for their units' observations (the category's default "
        "unit or the responsible unit), planners and administrators for any. A move the "
        "workflow does not allow is a 409. Moving to `duplicate` needs `duplicate_of`: the id "
        "of another observation in the same municipality that the caller may read; it is "
        "stored on the observation and named in the history note. Leaving `duplicate` clears "
        "it. Without `status` the observation keeps its status (and a duplicate its "
        "original): a note or an assignment alone is recorded in the history.",
        request=TransitionSerializer,
        responses={
            (200, GEOJSON): OBSERVATION_FEATURE,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: errors("The workflow does not allow this move."),
        },
    )
    def post(self, request, id):
        form = TransitionSerializer(data=request.data)
        with transaction.atomic():
            observation = visible_observation(request, id, for_update=True)
            self.check_object_permissions(request, observation)
            form.is_valid(raise_exception=True)
            # Without a status the observation keeps its own (and a duplicate its original):
            # the history still records the note or the assignment.
            new_status = form.validated_data.get("status", observation.status)
            note = form.validated_data["note"]
            original = None
            if new_status == Status.DUPLICATE and "status" not in form.validated_data:
                original = observation.duplicate_of
            elif new_status == Status.DUPLICATE:
                original = self.original_of(request, observation, form.validated_data)
                note = "\n".join(
                    filter(None, [note, _("Duplicate of #%(id)d.") % {"id": original.pk}])
                )
            try:
                observation.change_status(
                    new_status,
                    by=request.user,
                    note=note,
                    unit=form.validated_data.get("unit"),
                    duplicate_of=original,
                )
            except InvalidTransition as error:
                return Response({"status": [str(error)]}, status=status.HTTP_409_CONFLICT)
        return feature_response(request, observation.pk)

    @staticmethod
    def original_of(request, observation, data) -> Observation:
        """The observation this one duplicates: another one, readable, in its municipality."""
        original_id = data.get("duplicate_of")
        original = observations_for(request).filter(pk=original_id).first()
        if original is None:
            raise ValidationError({"duplicate_of": [_("No observation you can see has this id.")]})
        if original.pk == observation.pk:
            raise ValidationError({"duplicate_of": [_("An observation cannot duplicate itself.")]})
        if original.municipality_id != observation.municipality_id:
            raise ValidationError(
                {"duplicate_of": [_("The original must be in the same municipality.")]}
            )
        return original
