# SPDX-License-Identifier: EUPL-1.2
"""Safety walks: listed for everyone (join codes only for planners), joined with a code."""

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from api.filters import WalkParameters, filter_walks, read_query
from api.geojson import GEOJSON, single_feature
from api.permissions import AnyoneMayJoin, ReadOnly, reads_internal, sees_join_codes
from api.schemas import BAD_REQUEST, ID, NOT_FOUND, WALK_COLLECTION, WALK_FEATURE, errors
from api.serializers import JoinedSerializer, JoinSerializer, walk_feature
from api.views.common import LyhtyView, feature_or_404, paged_features
from walks.models import SafetyWalk, WalkParticipant

TAG = ["walks"]


def feature_for(request):
    return walk_feature(internal=reads_internal(request), join_code=sees_join_codes(request))


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
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "join"

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
