# SPDX-License-Identifier: EUPL-1.2
"""Resident surveys: the questions (everyone), answering (anyone, once per device), and the
results (everyone, small cells hidden from all but planners).

`POST /api/v1/surveys/<slug>/responses/` is the survey page's contract (surveys.services):

    {"uuid": "…", "device": "<the phone's random token>", "language": "fi",
     "answers": {"safety_day": 4, …}, "places": [{"question": "unsafe_places", …}]}

→ 201 stored; 200 the same submission again (a retry); 409 this device answered already;
400 the answers or places at fault, nothing stored.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from analysis.exports import EXPORTERS, BadExportRequest, choose_srid
from analysis.exports.survey import SURVEY_FORMATS, SURVEY_LAYERS, export_survey
from analysis.survey import survey_results
from api.exports import AnyAccept, file_response
from api.permissions import caller, caller_role, role_there
from api.schemas import (
    BAD_REQUEST,
    BINARY,
    EXPORT_REFUSED,
    FORBIDDEN,
    GEOJSON_FILE,
    NOT_FOUND,
    errors,
)
from api.views.common import LyhtyView
from surveys.models import QuestionKind, Survey, TimeOfDay
from surveys.services import AlreadyAnswered, SubmissionError, SurveyClosed, submit
from walks import roles

TAG = ["surveys"]
SLUG = OpenApiParameter(
    "slug", {"type": "string", "pattern": "^[-a-zA-Z0-9_]{1,60}$"}, OpenApiParameter.PATH
)

_STRING = {"type": "string"}
OPTION = {
    "type": "object",
    "properties": {"code": _STRING, "text": _STRING, "category": {**_STRING, "nullable": True}},
    "required": ["code", "text", "category"],
}
QUESTION = {
    "type": "object",
    "properties": {
        "code": _STRING,
        "kind": {"type": "string", "enum": QuestionKind.values},
        "text": _STRING,
        "help": _STRING,
        "required": {"type": "boolean"},
        "positive": {"type": "boolean"},
        "options": {"type": "array", "items": OPTION},
    },
    "required": ["code", "kind", "text", "help", "required", "positive", "options"],
}
SURVEY = {
    "type": "object",
    "properties": {
        "slug": _STRING,
        "municipality": _STRING,
        "title": _STRING,
        "intro": _STRING,
        "opens_on": {"type": "string", "format": "date"},
        "closes_on": {"type": "string", "format": "date"},
        "is_template": {"type": "boolean"},
        "questions": {"type": "array", "items": QUESTION},
    },
    "required": ["slug", "municipality", "title", "intro", "opens_on", "closes_on", "questions"],
}
SUBMISSION = {
    "type": "object",
    "properties": {
        "uuid": {"type": "string", "format": "uuid"},
        "device": {**_STRING, "maxLength": 200, "description": "The phone's random token."},
        "language": {"type": "string", "enum": ["fi", "sv", "en"]},
        "answers": {
            "type": "object",
            "description": "Question code → 1–5, an option code, a list of them, text, "
            "or a district code.",
            "additionalProperties": {},
        },
        "places": {
            "type": "array",
            "maxItems": 50,
            "items": {
                "type": "object",
                "properties": {
                    "question": _STRING,
                    "geometry": {"type": "object", "description": "GeoJSON Point or LineString"},
                    "reason": {**_STRING, "nullable": True},
                    "time_of_day": {"type": "string", "enum": TimeOfDay.values},
                    "note": _STRING,
                },
                "required": ["question", "geometry"],
            },
        },
    },
    "required": ["device", "answers"],
}
STORED = {
    "type": "object",
    "properties": {"result": {"type": "string", "enum": ["created", "exists"]}, "uuid": _STRING},
    "required": ["result", "uuid"],
}


class SurveyAccess(BasePermission):
    """Anyone reads surveys and answers them; the page needs no account."""

    anonymous_methods = ("GET", "HEAD", "OPTIONS", "POST")

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or request.method == "POST"


def surveys_for(request):
    """The surveys open for answers, and every survey (templates and closed ones too) of
    the municipalities whose planners the caller is (all for administrators)."""
    surveys = Survey.objects.select_related("municipality")
    scope = roles.municipalities_of(caller(request), having=roles.organises)
    if scope is None:
        return surveys
    return surveys.answerable() | surveys.filter(municipality__in=scope)


def survey_data(survey: Survey) -> dict:
    return {
        "slug": survey.slug,
        "municipality": survey.municipality.code,
        "title": survey.title,
        "intro": survey.intro,
        "opens_on": survey.opens_on.isoformat(),
        "closes_on": survey.closes_on.isoformat(),
        "is_template": survey.is_template,
        "questions": [
            {
                "code": question.code,
                "kind": question.kind,
                "text": question.text,
                "help": question.help_text,
                "required": question.required,
                "positive": question.positive,
                "options": [
                    {
                        "code": option.code,
                        "text": option.text,
                        "category": option.category.code if option.category else None,
                    }
                    for option in question.options.all()
                ],
            }
            for question in survey.questions.prefetch_related("options__category")
        ],
    }


class SurveyList(LyhtyView):
    permission_classes = [SurveyAccess]

    @extend_schema(
        tags=TAG,
        operation_id="v1_surveys_list",
        summary="Surveys, newest first (templates for planners and administrators only)",
        parameters=[
            OpenApiParameter(
                "municipality",
                {"type": "string", "maxLength": 10},
                description="Municipality code.",
            )
        ],
        # 400: a code holding a null character (config.middleware.RefuseNulCharacters).
        responses={200: {"type": "array", "items": SURVEY}, 400: BAD_REQUEST},
    )
    def get(self, request):
        surveys = surveys_for(request).latest_first()
        code = request.query_params.get("municipality")
        if code:
            surveys = surveys.filter(municipality__code=code)
        return Response([survey_data(survey) for survey in surveys])


class SurveyDetail(LyhtyView):
    permission_classes = [SurveyAccess]

    @extend_schema(
        tags=TAG,
        parameters=[SLUG],
        summary="One survey with its questions",
        responses={200: SURVEY, 404: NOT_FOUND},
    )
    def get(self, request, slug):
        return Response(survey_data(get_object_or_404(surveys_for(request), slug=slug)))


class SurveyResponses(LyhtyView):
    """The survey page's upload: anyone, once per device."""

    # Anonymous by design: no credentials, so nothing ties an answer to a person.
    authentication_classes = []
    permission_classes = [SurveyAccess]

    @extend_schema(
        tags=TAG,
        parameters=[SLUG],
        summary="Answer a survey (anonymous; once per device)",
        request={"application/json": SUBMISSION},
        responses={
            201: STORED,
            200: STORED,
            400: BAD_REQUEST,
            404: NOT_FOUND,
            409: errors("This device has answered the survey already, or the survey is closed."),
        },
        examples=[
            OpenApiExample(
                "answer",
                value={
                    "uuid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                    "device": "5a0c9f2e8d5b4c1a",
                    "language": "fi",
                    "answers": {"safety_day": 4, "safety_dark": 2, "unsafe_because": ["lighting"]},
                    "places": [
                        {
                            "question": "unsafe_places",
                            "geometry": {"type": "Point", "coordinates": [26.93, 60.46]},
                            "reason": "lighting",
                            "time_of_day": "dark",
                        }
                    ],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request, slug):
        survey = get_object_or_404(Survey.objects.answerable(), slug=slug)
        data = request.data if isinstance(request.data, dict) else None
        device = data.get("device") if data else None
        if not isinstance(device, str) or not 8 <= len(device) <= 200:
            return Response(
                {"device": [_("The page sends a device token of 8 to 200 characters.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            submitted = submit(survey, data, device_token=device)
        except SubmissionError as error:
            return Response(
                {key: [message] for key, message in error.errors.items()},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except AlreadyAnswered:
            return Response(
                {"detail": [_("This device has already answered this survey. Thank you!")]},
                status=status.HTTP_409_CONFLICT,
            )
        except SurveyClosed:
            return Response(
                {"detail": [_("This survey is closed: it no longer takes answers.")]},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(
            {
                "result": "created" if submitted.created else "exists",
                "uuid": str(submitted.response.uuid),
            },
            status=status.HTTP_201_CREATED if submitted.created else status.HTTP_200_OK,
        )


# --- results and exports ------------------------------------------------------------------

SCALE_FIGURES = {
    "type": "object",
    "nullable": True,
    "properties": {
        "n": {"type": "integer"},
        "mean": {"type": "number", "nullable": True},
        "ci_low": {"type": "number", "nullable": True},
        "ci_high": {"type": "number", "nullable": True},
    },
}
AREA = {
    "type": "object",
    "properties": {
        "respondents": {"type": "integer", "nullable": True},
        "suppressed": {"type": "boolean"},
        "safety_day": SCALE_FIGURES,
        "safety_dark": SCALE_FIGURES,
        "choices": {"type": "array", "items": {"type": "object"}},
        "top_reasons": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["respondents", "suppressed", "safety_day", "safety_dark"],
}
RESULTS = {
    "type": "object",
    "properties": {
        "survey": {"type": "object"},
        "k_anonymity": {"type": "integer"},
        "districts": {
            "type": "array",
            "items": {**AREA, "properties": {**AREA["properties"], "district": {"type": "object"}}},
        },
        "no_district": AREA,
        "whole": AREA,
    },
    "required": ["survey", "k_anonymity", "districts", "no_district", "whole"],
}


def sees_every_cell(request, survey) -> bool:
    """The survey's municipality's planners and administrators see the small areas too."""
    return roles.organises(role_there(request, survey.municipality_id))


class SurveyResults(LyhtyView):
    permission_classes = [SurveyAccess]

    @extend_schema(
        tags=TAG,
        parameters=[SLUG],
        summary="Results per district of residence and overall",
        description="Respondents, mean perceived safety by day and after dark with 95 % "
        "confidence intervals, choice shares and the top reasons for places on the map. "
        "An area with fewer than 5 respondents, and any other area that would give it away, "
        "has `suppressed` true and null figures, for everyone but planners and administrators.",
        responses={200: RESULTS, 404: NOT_FOUND},
    )
    def get(self, request, slug):
        survey = get_object_or_404(surveys_for(request), slug=slug)
        return Response(survey_results(survey, suppress_small=not sees_every_cell(request, survey)))


class MayExportAnswers(BasePermission):
    message = _("Only planners and administrators can export survey answers.")

    def has_permission(self, request, view):
        # A planner somewhere; the survey's own municipality is checked in the view.
        return roles.organises(caller_role(request))


class SurveyExport(LyhtyView):
    permission_classes = [MayExportAnswers]
    content_negotiation_class = AnyAccept

    @extend_schema(
        tags=TAG,
        summary="A survey's answers as a file (planners and administrators)",
        description="`responses` (one row per response, a column per question) and `places` "
        "(the places marked on the map) as csv, geojson or gpkg; `all.gpkg` holds both. "
        "`crs` as in the other exports (gpkg defaults to the national CRS).",
        parameters=[
            SLUG,
            OpenApiParameter("layer", str, OpenApiParameter.PATH, enum=list(SURVEY_LAYERS)),
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(SURVEY_FORMATS)),
            OpenApiParameter(
                "crs", str, description="EPSG:4326, EPSG:3067, EPSG:3006 or EPSG:3857."
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(BINARY, description="The file."),
            (200, "application/geo+json"): OpenApiResponse(GEOJSON_FILE, description="The file."),
            (200, "application/geopackage+sqlite3"): OpenApiResponse(
                BINARY, description="The file."
            ),
            400: EXPORT_REFUSED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request, slug, layer, fmt):
        survey = get_object_or_404(surveys_for(request), slug=slug)
        if not sees_every_cell(request, survey):
            raise PermissionDenied(MayExportAnswers.message)
        if layer not in SURVEY_LAYERS or fmt not in SURVEY_FORMATS:
            raise Http404
        if layer == "all" and fmt != "gpkg":
            raise Http404
        exporter = EXPORTERS[fmt]
        try:
            unknown = set(request.query_params) - {"crs"}
            if unknown:
                raise BadExportRequest(_("Unknown query parameter."), sorted(unknown)[0])
            srid = choose_srid(fmt, request.query_params.get("crs"), survey.municipality)
            return file_response(
                exporter,
                f"survey-{survey.slug}-{layer}",
                srid,
                lambda path: export_survey(survey, layer, fmt, srid, path),
            )
        except BadExportRequest as error:
            return Response({"detail": str(error), "parameter": error.parameter}, status=400)
