# SPDX-License-Identifier: EUPL-1.2
"""Safety walks: listed for everyone (join codes only for planners), joined with a code;
a participant's recorded track uploaded whole."""

import json

from django.contrib.gis.geos import LineString
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from api.auth import participant_of
from api.filters import WalkParameters, filter_walks, read_query
from api.geojson import GEOJSON, single_feature
from api.permissions import AnyoneMayJoin, ReadOnly, internal_scope, join_code_scope
from api.schemas import (
    BAD_REQUEST,
    FORBIDDEN,
    ID,
    NOT_FOUND,
    WALK_COLLECTION,
    WALK_FEATURE,
    errors,
)
from api.serializers import (
    CRS_MESSAGE,
    JoinedSerializer,
    JoinSerializer,
    _position,
    walk_feature,
    wrong_crs,
)
from api.throttling import JoinThrottle
from api.views.common import LyhtyView, feature_or_404, paged_features, refuse_oversized_body
from walks.models import ParticipantTrack, SafetyWalk, WalkParticipant

TAG = ["walks"]


def feature_for(request):
    return walk_feature(internal=internal_scope(request), join_code=join_code_scope(request))


class WalkList(LyhtyView):
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        summary="Safety walks, newest first; the route is the geometry",
        operation_id="v1_walks_list",
        parameters=[WalkParameters],
        responses={(200, GEOJSON): WALK_COLLECTION, 400: BAD_REQUEST},
    )
    def get(self, request):
        query = read_query(request, WalkParameters)
        walks = filter_walks(SafetyWalk.objects.order_by("-starts_at", "-id"), query)
        return paged_features(request, query, walks, feature_for(request))


class WalkDetail(LyhtyView):
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="One safety walk",
        responses={(200, GEOJSON): WALK_FEATURE, 404: NOT_FOUND},
    )
    def get(self, request, id):
        return feature_or_404(SafetyWalk.objects.filter(pk=id), feature_for(request))


class JoinWalk(LyhtyView):
    """The phone logger's first call: a join code in, a participant key out."""

    # Anyone may join; an old key the phone still sends must not get in the way.
    authentication_classes = []
    permission_classes = [AnyoneMayJoin]
    throttle_classes = [JoinThrottle]

    @extend_schema(
        tags=TAG,
        summary="Join a walk with its code",
        request=JoinSerializer,
        responses={
            201: JoinedSerializer,
            400: BAD_REQUEST,
            404: errors("No walk has this code."),
            409: errors("The walk is closed."),
        },
        examples=[
            OpenApiExample(
                "join",
                value={"code": "K7M2QX9P", "group": "residents", "privacy_accepted": True},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        form = JoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        walk = SafetyWalk.objects.filter(join_code=form.validated_data["code"]).first()
        if walk is None:
            return Response(
                {"code": [_("No walk has this code. Check it with the walk's organiser.")]},
                status=status.HTTP_404_NOT_FOUND,
            )
        if not walk.is_open:
            return Response(
                {"code": [_("This walk is closed: it can no longer be joined.")]},
                status=status.HTTP_409_CONFLICT,
            )
        participant = WalkParticipant.objects.create(
            walk=walk,
            display_name=form.validated_data.get("display_name", ""),
            group=form.validated_data["group"],
        )
        feature = single_feature(
            SafetyWalk.objects.filter(pk=walk.pk), walk_feature(internal=False, join_code=False)
        )
        return Response(
            {"key": participant.key, "walk": json.loads(feature)}, status=status.HTTP_201_CREATED
        )


class IsParticipant(BasePermission):
    """Only a walk participant (by their key) records a track."""

    message = _("Only a participant of this walk can upload its track.")

    def has_permission(self, request, view):
        return participant_of(request) is not None


def read_track(data) -> tuple[LineString | None, str | None]:
    """A GeoJSON LineString (or a Feature holding one) → (line, None) or (None, message)."""
    geometry = (
        data.get("geometry") if isinstance(data, dict) and data.get("type") == "Feature" else data
    )
    if not isinstance(geometry, dict) or geometry.get("type") != "LineString":
        return None, _("Send the track as a GeoJSON LineString.")
    if wrong_crs(geometry) or wrong_crs(data):
        return None, CRS_MESSAGE
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None, _("A LineString needs at least two positions.")
    if len(coordinates) > ParticipantTrack.MAX_VERTICES:
        return None, _("A track may have at most %(max)d positions, not %(count)d.") % {
            "max": ParticipantTrack.MAX_VERTICES,
            "count": len(coordinates),
        }
    positions = []
    for value in coordinates:
        position, error = _position(value)
        if error:
            return None, error
        positions.append(position)
    if len(set(positions)) < 2:
        return None, _("A LineString needs at least two different positions.")
    return LineString(positions, srid=4326), None


TRACK_IN = {
    "type": "object",
    "description": "The whole track so far, as a GeoJSON LineString (or a Feature with one).",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["LineString"]},
        "coordinates": {
            "type": "array",
            "minItems": 2,
            "maxItems": ParticipantTrack.MAX_VERTICES,
            "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3},
        },
    },
}
TRACK_OUT = {
    "type": "object",
    "properties": {
        "walk": {"type": "integer"},
        "vertices": {"type": "integer"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}


class WalkTrack(LyhtyView):
    """A participant's own recorded route: opt-in on the phone, uploaded whole each time."""

    permission_classes = [IsParticipant]

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="Upload the caller's recorded track of this walk (participants only)",
        description="Idempotent: the body is the whole track so far and replaces the last "
        "upload. At least two different positions, at most "
        f"{ParticipantTrack.MAX_VERTICES:,} positions, WGS84 longitude/latitude; only while "
        "the walk is open. The walk's recorded track becomes all its participants' tracks "
        "as one MultiLineString.",
        request={"application/json": TRACK_IN, GEOJSON: TRACK_IN},
        responses={
            200: TRACK_OUT,
            400: BAD_REQUEST,
            401: errors("No participant key, or one that is not valid."),
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: errors("The walk is closed."),
        },
    )
    def put(self, request, id):
        refuse_oversized_body(request)
        participant = participant_of(request)
        if participant.walk_id != id:
            if not SafetyWalk.objects.filter(pk=id).exists():
                return Response(
                    {"detail": _("No walk has this id.")}, status=status.HTTP_404_NOT_FOUND
                )
            return Response(
                {"detail": _("You can upload a track only for the walk you joined.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        if not participant.walk.is_open:
            return Response(
                {"detail": _("The walk is closed: its track can no longer be changed.")},
                status=status.HTTP_409_CONFLICT,
            )
        line, error = read_track(request.data)
        if error:
            return Response({"geometry": [error]}, status=status.HTTP_400_BAD_REQUEST)
        track = ParticipantTrack.record(participant, line)
        return Response(
            {"walk": id, "vertices": len(line), "updated_at": track.updated_at},
            content_type="application/json",
        )
