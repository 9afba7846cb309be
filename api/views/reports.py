# SPDX-License-Identifier: EUPL-1.2
"""Residents' reports without an account (walks.reports): send one, find the same one
nearby and support it, follow it with its token, add photos to it; moderation by staff.

POST /api/v1/reports/                       a report (a GeoJSON Feature, as an observation)
GET  /api/v1/reports/nearby/                open public ones of the theme nearby
POST /api/v1/reports/support/               "this is the same": +1 supporter, no new point
GET  /api/v1/reports/<token>/               the follow-up: status and history
POST /api/v1/reports/<token>/photos/        a photo (at most REPORT_MAX_PHOTOS)
POST /api/v1/reports/<token>/unsubscribe/   no more email
POST /api/v1/observations/<id>/moderation/  accept, hide the text, reject, mark duplicate

Anonymous writes are throttled per address and per browser (the page's device id, header
X-Lyhty-Device), with a 429 in the caller's language; a honeypot property (`website`)
that a person never fills makes the request a 400 with nothing stored.
"""

import math

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from api.geojson import GEOJSON
from api.permissions import MayAssign
from api.photos import UploadLimitHandler, store_upload
from api.schemas import (
    BAD_REQUEST,
    FORBIDDEN,
    ID,
    INCOMING_FEATURE,
    NOT_FOUND,
    OBSERVATION_FEATURE,
    PHOTO_UPLOAD,
    errors,
)
from api.serializers import read_observation
from api.throttling import client_address
from api.views.common import LyhtyView, refuse_oversized_body
from api.views.observations import ObservationTransition, feature_response, visible_observation
from walks.models import (
    Category,
    InvalidTransition,
    Moderation,
    Observation,
    ReportLanguage,
    ResidentReport,
    Source,
    Status,
    Visibility,
)
from walks.reports import ModerationError, add_support, moderate, same_reports_nearby
from walks.services import NewObservation, submit_observations

TAG = ["reports"]
DEVICE_HEADER = "HTTP_X_LYHTY_DEVICE"
DEVICE = OpenApiParameter(
    "X-Lyhty-Device",
    {"type": "string", "maxLength": 64},
    OpenApiParameter.HEADER,
    description="The browser's own random id, kept by the report page: throttling counts "
    "per device too, and a retried report from the same device gets its follow-up back.",
)
TOKEN = OpenApiParameter(
    "token",
    {"type": "string", "maxLength": 64},
    OpenApiParameter.PATH,
    description="From the answer to the report.",
)
# Properties of a report besides an observation's.
REPORT_ONLY = {"email", "language", "website"}


def device_of(request) -> str:
    return request.META.get(DEVICE_HEADER, "")[:64]


class ReportThrottle(SimpleRateThrottle):
    """REPORT_THROTTLE_RATE anonymous writes per client address (cache: CACHE_URL)."""

    scope = "report"
    setting = "REPORT_THROTTLE_RATE"

    def get_rate(self):
        return getattr(settings, self.setting)

    def ident(self, request) -> str:
        return client_address(request)

    def get_cache_key(self, request, view):
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        ident = self.ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident} if ident else None


class ReportDeviceThrottle(ReportThrottle):
    """REPORT_DEVICE_THROTTLE_RATE anonymous writes per browser (its X-Lyhty-Device)."""

    scope = "report-device"
    setting = "REPORT_DEVICE_THROTTLE_RATE"

    def ident(self, request) -> str:
        return device_of(request)


class AnonymousWrite(LyhtyView):
    """Anyone may call; throttled, with the wait said in the caller's language."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ReportThrottle, ReportDeviceThrottle]

    def throttled(self, request, wait):
        minutes = max(1, math.ceil((wait or 60) / 60))
        raise Throttled(
            wait,
            detail=_(
                "Too many reports from here in a short time. Try again in %(minutes)d minutes."
            )
            % {"minutes": minutes},
        )


REPORT_BODY = {
    **INCOMING_FEATURE,
    "description": "A Point and an observation's properties (no walk, municipality or "
    "visibility), plus `email` (optional: updates by email), `language` (fi, sv, en: of the "
    "follow-up page and the emails) and `website` (a honeypot: leave it out or empty).",
    "properties": {
        **INCOMING_FEATURE["properties"],
        "properties": {
            "type": "object",
            "properties": {
                **{
                    name: schema
                    for name, schema in INCOMING_FEATURE["properties"]["properties"][
                        "properties"
                    ].items()
                    if name not in ("municipality", "walk", "visibility")
                },
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "language": {"type": "string", "enum": ReportLanguage.values},
                "website": {"type": "string", "maxLength": 0},
            },
        },
    },
}
REPORT_ANSWER = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "uuid": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": Status.values},
        "token": {"type": "string"},
        "follow_up": {"type": "string", "description": "The follow-up page's address."},
    },
    "required": ["id", "uuid", "status", "token", "follow_up"],
}


def answer_for(request, report: ResidentReport) -> dict:
    from django.urls import reverse

    observation = report.observation
    return {
        "id": observation.pk,
        "uuid": str(observation.uuid),
        "status": observation.status,
        "token": report.token,
        "follow_up": request.build_absolute_uri(reverse("report-follow-up", args=[report.token])),
    }


def read_email(value) -> str:
    if value in (None, ""):
        return ""
    field = serializers.EmailField(max_length=254)
    try:
        return field.run_validation(value)
    except serializers.ValidationError as error:
        raise ValueError(error.detail[0]) from None


class ReportCreate(AnonymousWrite):
    @extend_schema(
        tags=TAG,
        summary="Report a problem as a resident (no account)",
        description="Stored with source `resident`, not public until staff accept it. "
        "Idempotent by UUID: the same report again from the same device (X-Lyhty-Device) "
        "answers 200 with the same follow-up; from another device a 409. Throttled per "
        "address and per device (429).",
        parameters=[DEVICE],
        request={"application/json": REPORT_BODY, "application/geo+json": REPORT_BODY},
        responses={
            201: OpenApiResponse(REPORT_ANSWER, description="Stored."),
            200: OpenApiResponse(REPORT_ANSWER, description="Already stored: the same one."),
            400: BAD_REQUEST,
            409: errors("Another report already has this UUID."),
            413: errors("The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE."),
            429: errors("Too many reports from this address or device; try again later."),
        },
    )
    def post(self, request):
        refuse_oversized_body(request)
        body = request.data
        props = body.get("properties") if isinstance(body, dict) else None
        props = props if isinstance(props, dict) else {}
        if props.get("website"):
            # People never see the field; whatever fills it is not a person.
            return Response(
                {"website": [_("Leave this field empty.")]}, status=status.HTTP_400_BAD_REQUEST
            )
        extra_errors, email = {}, ""
        try:
            email = read_email(props.get("email"))
        except ValueError as error:
            extra_errors["email"] = [str(error)]
        language = props.get("language") or request.LANGUAGE_CODE[:2]
        if language not in ReportLanguage.values:
            extra_errors["language"] = [
                _("Give one of: %(known)s.") % {"known": ", ".join(ReportLanguage.values)}
            ]
        feature = {**body, "properties": {k: v for k, v in props.items() if k not in REPORT_ONLY}}
        categories = {c.code: c for c in Category.objects.filter(active=True)}
        values, errors_ = read_observation(feature, categories=categories)
        errors_ |= extra_errors
        if values.get("stretch") is not None:
            errors_["geometry"] = [_("Mark one place: a point.")]
        if errors_:
            return Response(errors_, status=status.HTTP_400_BAD_REQUEST)
        device = device_of(request)
        with transaction.atomic():
            existing = (
                ResidentReport.objects.select_related("observation")
                .filter(observation__uuid=values["uuid"])
                .first()
            )
            if existing is not None:
                if not device or existing.device != device:
                    return Response(
                        {"uuid": [_("Another report already has this UUID.")]},
                        status=status.HTTP_409_CONFLICT,
                    )
                return Response(answer_for(request, existing))
            fields = {k: v for k, v in values.items() if k != "stretch"}
            [outcome] = submit_observations(
                [NewObservation(**fields, source=Source.RESIDENT, visibility=Visibility.INTERNAL)]
            )
            if outcome.result == "rejected":
                return Response(outcome.errors, status=status.HTTP_400_BAD_REQUEST)
            if outcome.result == "exists":
                return Response(
                    {"uuid": [_("Another report already has this UUID.")]},
                    status=status.HTTP_409_CONFLICT,
                )
            Observation.objects.filter(pk=outcome.id).update(moderation=Moderation.PENDING)
            report = ResidentReport.objects.create(
                observation_id=outcome.id,
                device=device,
                email=email,
                language=language,
                notify=bool(email),
            )
        return Response(answer_for(request, report), status=status.HTTP_201_CREATED)


class NearbyParameters(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(active=True)
    )

    def validate(self, attrs):
        if not all(math.isfinite(attrs[name]) for name in ("lon", "lat")):
            raise ValidationError({"lon": [_("Give finite numbers.")]})
        return attrs


NEARBY_ANSWER = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "category": {"type": "string"},
            "category_name": {"type": "string"},
            "status": {"type": "string", "enum": Status.values},
            "distance_m": {"type": "number"},
            "supporters": {"type": "integer"},
            "description": {"type": "string"},
            "lon": {"type": "number"},
            "lat": {"type": "number"},
        },
    },
}


class ReportsNearby(LyhtyView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG,
        summary="Open public reports of the category's theme near a point",
        description="Within the category's duplicate distance (50 m unless set), nearest "
        "first: what a resident may support instead of reporting again.",
        parameters=[NearbyParameters],
        responses={200: NEARBY_ANSWER, 400: BAD_REQUEST},
    )
    def get(self, request):
        form = NearbyParameters(data=request.query_params)
        form.is_valid(raise_exception=True)
        point = Point(form.validated_data["lon"], form.validated_data["lat"], srid=4326)
        found = same_reports_nearby(form.validated_data["category"], point)
        answer = [
            {
                "id": each.pk,
                "category": each.category.code,
                "category_name": each.category.name,
                "status": each.status,
                "distance_m": round(_metres(each.geom, point), 1),
                "supporters": each.support_count,
                "description": each.description,
                "lon": each.geom.x,
                "lat": each.geom.y,
            }
            for each in found
        ]
        return Response(sorted(answer, key=lambda each: each["distance_m"]))


def _metres(a: Point, b: Point) -> float:
    """Distance on the sphere, for display (the choice was PostGIS's)."""
    lat = math.radians((a.y + b.y) / 2)
    dx = math.radians(a.x - b.x) * math.cos(lat)
    dy = math.radians(a.y - b.y)
    return 6_371_000 * math.hypot(dx, dy)


class SupportSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(help_text=_("Made by the client, so a retry counts once."))
    observation = serializers.IntegerField(min_value=1, max_value=10**18 - 1)


SUPPORT_ANSWER = {
    "type": "object",
    "properties": {"observation": {"type": "integer"}, "supporters": {"type": "integer"}},
    "required": ["observation", "supporters"],
}


class ReportSupport(AnonymousWrite):
    @extend_schema(
        tags=TAG,
        summary='"This is the same": support an open public report instead of a new one',
        description="Stores no observation; the report's supporter count rises by one, once "
        "per UUID (201 the first time, 200 again).",
        parameters=[DEVICE],
        request=SupportSerializer,
        responses={
            201: OpenApiResponse(SUPPORT_ANSWER, description="Counted."),
            200: OpenApiResponse(SUPPORT_ANSWER, description="Already counted."),
            400: BAD_REQUEST,
            404: NOT_FOUND,
            429: errors("Too many reports from this address or device; try again later."),
        },
    )
    def post(self, request):
        form = SupportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        observation = (
            Observation.objects.visible_to_public()
            .filter(pk=form.validated_data["observation"], status__in=Status.values)
            .first()
        )
        if observation is None or not observation.is_open:
            raise NotFound(_("No open public report has this id."))
        counted = add_support(observation, form.validated_data["uuid"])
        observation.refresh_from_db(fields=["support_count"])
        return Response(
            {"observation": observation.pk, "supporters": observation.support_count},
            status=status.HTTP_201_CREATED if counted else status.HTTP_200_OK,
        )


FOLLOW_UP = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": Status.values},
        "status_label": {"type": "string"},
        "moderation": {"type": "string", "enum": Moderation.values},
        "category": {"type": "string"},
        "category_name": {"type": "string"},
        "place": {"type": "string"},
        "supporters": {"type": "integer"},
        "photos": {"type": "integer"},
        "emails": {"type": "boolean", "description": "Whether status changes are emailed."},
        "language": {"type": "string", "enum": ReportLanguage.values},
        "history": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": Status.values},
                    "status_label": {"type": "string"},
                    "changed_at": {"type": "string", "format": "date-time"},
                    "note": {
                        "type": "string",
                        "description": "Only a rejection's reason; other notes stay internal.",
                    },
                },
            },
        },
    },
}


def report_of(token: str) -> ResidentReport:
    report = (
        ResidentReport.objects.select_related("observation__category", "observation__address")
        .filter(token=token)
        .first()
        if isinstance(token, str) and 0 < len(token) <= 64
        else None
    )
    if report is None:
        raise NotFound(_("No report has this link."))
    return report


def follow_up(report: ResidentReport) -> dict:
    """What the resident sees of their report: in the language of the request."""
    observation = report.observation
    history = [
        {
            "status": change.to_status,
            "status_label": str(Status(change.to_status).label),
            "changed_at": change.changed_at,
            "note": change.note if change.to_status == Status.REJECTED else "",
        }
        for change in observation.history.all()
    ]
    return {
        "id": observation.pk,
        "status": observation.status,
        "status_label": str(Status(observation.status).label),
        "moderation": observation.moderation,
        "category": observation.category.code,
        "category_name": observation.category.name,
        "place": str(observation.place),
        "supporters": observation.support_count,
        "photos": observation.photos.count(),
        "emails": report.notify,
        "language": report.language,
        "history": history,
    }


class ReportFollowUp(LyhtyView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG,
        summary="A report's status and history, by its private token",
        parameters=[TOKEN],
        responses={200: FOLLOW_UP, 404: NOT_FOUND},
    )
    def get(self, request, token):
        return Response(follow_up(report_of(token)))


PHOTO_ANSWER = {
    "type": "object",
    "properties": {"photos": {"type": "integer", "description": "The report's photos now."}},
    "required": ["photos"],
}


class ReportPhotos(AnonymousWrite):
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        request.upload_handlers.insert(0, UploadLimitHandler(request))
        super().initial(request, *args, **kwargs)

    @extend_schema(
        tags=TAG,
        summary="Add a photo to one's report (multipart, field `photo`)",
        description="At most REPORT_MAX_PHOTOS (3) per report, while it waits for moderation; "
        "moderated with the report. The same bytes again answer 200. Nothing is stored on an "
        "error.",
        parameters=[TOKEN, DEVICE],
        request=PHOTO_UPLOAD,
        responses={
            201: OpenApiResponse(PHOTO_ANSWER, description="Stored."),
            200: OpenApiResponse(PHOTO_ANSWER, description="Already stored."),
            400: BAD_REQUEST,
            404: NOT_FOUND,
            409: errors("The report has its photos already, or has been moderated."),
            413: errors("The photo is larger than PHOTO_MAX_BYTES."),
            429: errors("Too many reports from this address or device; try again later."),
        },
    )
    def post(self, request, token):
        report = report_of(token)
        observation = report.observation
        if observation.moderation != Moderation.PENDING:
            return Response(
                {"photo": [_("This report has been looked at; photos can no longer be added.")]},
                status=status.HTTP_409_CONFLICT,
            )
        with transaction.atomic():
            # One upload per report at a time, so two cannot both take the last place.
            Observation.objects.select_for_update().filter(pk=observation.pk).exists()
            limit = settings.REPORT_MAX_PHOTOS
            _photo, created, refused = store_upload(request, observation, limit=limit)
        if refused is not None:
            return refused
        return Response(
            {"photos": observation.photos.count()},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ReportUnsubscribe(AnonymousWrite):
    @extend_schema(
        tags=TAG,
        summary="No more email about this report",
        parameters=[TOKEN],
        request=None,
        responses={200: FOLLOW_UP, 404: NOT_FOUND},
    )
    def post(self, request, token):
        report = report_of(token)
        ResidentReport.objects.filter(pk=report.pk).update(notify=False)
        report.notify = False
        return Response(follow_up(report))


class ModerationSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["accept", "hide_text", "reject", "duplicate"])
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=_("With reject: why, for the resident (shown on their follow-up page)."),
    )
    duplicate_of = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10**18 - 1,
        help_text=_("With duplicate: the id of the original observation."),
    )


class ObservationModeration(LyhtyView):
    permission_classes = [MayAssign]

    @extend_schema(
        tags=["observations"],
        parameters=[ID],
        summary="Moderate a resident's report",
        description="Staff for their units' reports, planners and administrators for any. "
        "`accept` publishes it (unless its category is sensitive); `hide_text` publishes the "
        "point without its text, which no public surface ever shows; `reject` needs a "
        "`reason` for the resident; `duplicate` needs `duplicate_of`, whose supporter count "
        "rises. Anything else than a resident's report is a 409.",
        request=ModerationSerializer,
        responses={
            (200, GEOJSON): OBSERVATION_FEATURE,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: errors("Not a resident's report, or not a step it can take now."),
        },
    )
    def post(self, request, id):
        form = ModerationSerializer(data=request.data)
        with transaction.atomic():
            observation = visible_observation(request, id, for_update=True)
            self.check_object_permissions(request, observation)
            form.is_valid(raise_exception=True)
            data = form.validated_data
            original = None
            if data["action"] == "duplicate":
                if "duplicate_of" not in data:
                    raise ValidationError({"duplicate_of": [_("Name the original.")]})
                original = ObservationTransition.original_of(request, observation, data)
            if data["action"] == "reject" and not data["reason"].strip():
                raise ValidationError({"reason": [_("Give the reason for the resident.")]})
            try:
                moderate(
                    observation,
                    data["action"],
                    by=request.user,
                    reason=data["reason"],
                    duplicate_of=original,
                )
            except (ModerationError, InvalidTransition) as error:
                return Response({"action": [str(error)]}, status=status.HTTP_409_CONFLICT)
        return feature_response(request, observation.pk)
