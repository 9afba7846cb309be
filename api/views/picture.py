# SPDX-License-Identifier: EUPL-1.2
"""The district picture: figures per district and theme for a period (see analysis.picture).

Anyone may read it. The public and walk participants get figures over what they may read
(observations_for), with cells under analysis.picture.K_ANONYMITY observations suppressed, and
more so that no total gives them away (analysis.picture.complementary_suppression);
department staff, planners and administrators get every figure over every observation.
"""

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from analysis.incidents import district_incidents, incident_picture
from analysis.picture import (
    K_ANONYMITY,
    MISSING_SEVERITY_WEIGHT,
    Period,
    district_picture,
    municipality_picture,
)
from analysis.survey import survey_indicators
from api.filters import read_query
from api.permissions import ReadOnly, audience, observations_for, reads_internal_in, role_there
from api.schemas import BAD_REQUEST, ID, NOT_FOUND
from api.views.common import LyhtyView
from geo.models import District, Municipality
from walks import roles
from walks.cache import cached
from walks.filters import FILTERS, FilterError
from walks.models import EARLIEST_OBSERVATION, Theme

TAG = ["picture"]


class PictureParameters(serializers.Serializer):
    start = serializers.DateField(
        required=False,
        help_text=_("First day counted (YYYY-MM-DD, local time); default: a year before end."),
    )
    end = serializers.DateField(
        required=False,
        help_text=_("Day after the last one counted (YYYY-MM-DD); default: tomorrow."),
    )
    theme = serializers.SlugField(required=False, help_text=_("Only this theme (its code)."))
    source = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_(
            "Only these sources, comma-separated (walk, resident, staff, survey, import): "
            "staff, planners and administrators only."
        ),
    )

    # No observation is older than 2000 (walks.models.EARLIEST_OBSERVATION); the bounds keep
    # the period and the one before it inside Python's dates (year 1 to 9999).
    FIRST_DAY, LAST_DAY = EARLIEST_OBSERVATION.date(), datetime.date(2100, 1, 1)

    def validate_start(self, day):
        return self._in_range(day)

    def validate_end(self, day):
        return self._in_range(day)

    def _in_range(self, day):
        if not self.FIRST_DAY <= day <= self.LAST_DAY:
            raise ValidationError(
                _("Give a date from %(first)s to %(last)s.")
                % {"first": self.FIRST_DAY.isoformat(), "last": self.LAST_DAY.isoformat()}
            )
        return day

    def validate_source(self, text):
        try:
            return FILTERS["source"].parse("source", text)
        except FilterError as error:
            raise ValidationError(str(error)) from None

    def validate_theme(self, code):
        if not Theme.objects.filter(code=code).exists():
            raise ValidationError(_("Unknown theme."))
        return code

    def validate(self, attrs):
        attrs["period"] = period = read_period(attrs.get("start"), attrs.get("end"))
        if period.start >= period.end:
            raise ValidationError({"start": [_("Must be before end.")]})
        try:
            period.previous_start  # noqa: B018  the comparison period must exist too
        except OverflowError:
            raise ValidationError(
                {"start": [_("The period is too long to compare with the one before it.")]}
            ) from None
        return attrs


def read_period(start, end) -> Period:
    """The asked period; a missing end is tomorrow, a missing start a year before end."""
    if end is None:
        end = Period.last_year(timezone.localdate()).end
    if start is None:
        start = Period.last_year(end - datetime.timedelta(days=1)).start
    return Period(start, end)


def about(request, period: Period, internal: bool) -> dict:
    return {
        "period": {
            "start": period.start,
            "end": period.end,
            "previous_start": period.previous_start,
        },
        "k_anonymity": K_ANONYMITY,
        "missing_severity_weight": MISSING_SEVERITY_WEIGHT,
        "all_observations": internal,
    }


_NUMBER = {"type": "number", "nullable": True}
_COUNT = {"type": "integer", "nullable": True}
CELL = {
    "type": "object",
    "description": "Figures of one cell over the period's observations that are not duplicates "
    "or rejected; all null when `suppressed`.",
    "properties": {
        "observations": {**_COUNT, "description": "problems + positive"},
        "problems": _COUNT,
        "positive": {**_COUNT, "description": "Safe or pleasant places."},
        "open": _COUNT,
        "resolved": _COUNT,
        "share_resolved": {**_NUMBER, "description": "resolved / problems"},
        "severity_weighted": {
            **_COUNT,
            "description": "Sum of the problems' severities, a missing one counted as "
            "missing_severity_weight.",
        },
        "rate_per_1000": {
            **_NUMBER,
            "description": "severity_weighted per 1,000 residents; null without a population.",
        },
        "median_days_to_resolve": {
            **_NUMBER,
            "description": "From observed_at to the last change to resolved, in days.",
        },
        "previous_problems": {**_COUNT, "description": "In [previous_start, start)."},
        "change": {**_COUNT, "description": "problems − previous_problems"},
        "change_percent": _NUMBER,
        "suppressed": {
            "type": "boolean",
            "description": "Fewer than k_anonymity observations, or hidden with such a cell "
            "so that no total less the shown cells gives it away: figures hidden.",
        },
        "previous_suppressed": {
            "type": "boolean",
            "description": "The previous period's cell is hidden by the same rule (or this "
            "one is suppressed): its figures hidden.",
        },
    },
}
AREA = {
    "type": "object",
    "properties": {
        "population": _COUNT,
        "themes": {
            "type": "array",
            "items": {
                "allOf": [
                    CELL,
                    {
                        "type": "object",
                        "properties": {
                            "theme": {
                                "type": "object",
                                "properties": {
                                    "code": {"type": "string"},
                                    "name": {"type": "string"},
                                },
                            }
                        },
                    },
                ]
            },
        },
        "total": CELL,
    },
}
DISTRICT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "name": {"type": "string"},
    },
}
ABOUT = {
    "period": {
        "type": "object",
        "properties": {
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date", "description": "Excluded."},
            "previous_start": {"type": "string", "format": "date"},
        },
    },
    "k_anonymity": {"type": "integer"},
    "missing_severity_weight": {"type": "integer"},
    "all_observations": {
        "type": "boolean",
        "description": "True for staff, planners and administrators: internal ones included, "
        "nothing suppressed.",
    },
}
SURVEY = {
    "type": "object",
    "nullable": True,
    "description": "The latest resident survey: per district of residence (`district` in a "
    "district's picture) and for the whole, respondents and mean perceived safety by day and "
    "after dark with 95 % confidence intervals and the change since the previous survey. "
    "Areas with fewer than k_anonymity respondents, and any that would give one away, are "
    "suppressed for everyone but planners and administrators. Null without a survey.",
}
INCIDENTS = {
    "type": "object",
    "description": "The knowledge base's incidents (traffic accidents, crimes, rescue "
    "call-outs): per kind, the latest year with data up to the period's end, each area's "
    "count and the year before's, the population of that year (area statistic "
    "'population') and the rate per 1,000 residents (null without it). Areas with fewer "
    "than k_anonymity incidents, and any that would give one away, are suppressed for the "
    "public. A district's picture has its own row of each kind as `district`.",
}
DISTRICT_PICTURE = OpenApiResponse(
    {
        "type": "object",
        "properties": {
            **ABOUT,
            "district": DISTRICT,
            "population": _COUNT,
            "themes": AREA["properties"]["themes"],
            "total": CELL,
            "survey": SURVEY,
            "incidents": INCIDENTS,
        },
    },
    description="A row per theme and the district's total.",
)
MUNICIPALITY_PICTURE = OpenApiResponse(
    {
        "type": "object",
        "properties": {
            **ABOUT,
            "municipality": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            },
            "districts": {
                "type": "array",
                "items": {
                    "allOf": [AREA, {"type": "object", "properties": {"district": DISTRICT}}]
                },
            },
            "outside_districts": AREA,
            "municipality_total": AREA,
            "survey": SURVEY,
            "incidents": INCIDENTS,
        },
    },
    description="Every district, the observations outside every district, and the whole.",
)
DESCRIPTION = (
    "Counts, severity-weighted rate per 1,000 residents, share resolved, median days to "
    "resolve, change against the previous period of the same length, and positive places. "
    "The public sees public observations only, and cells with fewer than k_anonymity "
    "observations are suppressed, with as many others as it takes that no total (a "
    "district's over its themes, a theme's or the totals' over the districts and outside "
    "them) gives one away."
)


# A picture over a million observations takes seconds; until an observation changes it is
# the same for everyone who reads the same observations.
PICTURE_SECONDS = 24 * 3600


def survey_for(request, municipality) -> dict | None:
    """The latest resident survey's indicators (analysis.survey): small areas hidden from
    everyone but planners and administrators."""
    return survey_indicators(
        municipality,
        timezone.localdate(),
        suppress_small=not roles.organises(role_there(request, municipality.pk)),
    )


def picture_response(request, compute, place, **extra):
    """The picture of a district or municipality, over what the caller may read; the same
    for every caller who reads the same observations (walks.cache)."""
    query = read_query(request, PictureParameters)
    period = query["period"]
    theme = query.get("theme")
    # Small cells are shown only to whom the place's municipality reads internal ones.
    internal = reads_internal_in(request, getattr(place, "municipality_id", place.pk))
    sources = query.get("source")
    observations = observations_for(request)
    if sources:
        # A public figure narrowed by source, beside the whole one, could give a hidden
        # cell away: the suppression holds over one set of observations.
        if not internal:
            raise ValidationError(
                {"source": [_("Only staff, planners and administrators narrow it by source.")]}
            )
        observations = observations.from_sources(sources)
    parts = [type(place).__name__, place.pk, audience(request), period.start, period.end, theme]
    parts.append(",".join(sorted(sources or ())))
    picture = cached(
        "picture",
        parts,
        lambda: compute(
            observations,
            place,
            period,
            theme=theme,
            suppress_small=not internal,
        ),
        PICTURE_SECONDS,
    )
    incidents = incident_picture(
        getattr(place, "municipality", place), period, suppress_small=not internal
    )
    if isinstance(place, District):
        incidents = district_incidents(incidents, place.pk)
    return Response(
        {**about(request, period, internal), **extra, **picture, "incidents": incidents}
    )


class DistrictPicture(LyhtyView):
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        summary="One district's picture, per theme",
        description=DESCRIPTION,
        parameters=[ID, PictureParameters],
        responses={200: DISTRICT_PICTURE, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request, id):
        district = get_object_or_404(District, pk=id)
        survey = survey_for(request, district.municipality)
        if survey is not None:
            row = next(row for row in survey.pop("districts") if row["district"]["id"] == id)
            survey = {**survey, "district": row}
        return picture_response(request, district_picture, district, survey=survey)


class MunicipalityPicture(LyhtyView):
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        summary="A municipality's picture: every district per theme, and the whole",
        description=DESCRIPTION,
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH), PictureParameters],
        responses={200: MUNICIPALITY_PICTURE, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request, code):
        municipality = get_object_or_404(Municipality, code=code)
        about_municipality = {"code": municipality.code, "name": municipality.name}
        return picture_response(
            request,
            municipality_picture,
            municipality,
            municipality=about_municipality,
            survey=survey_for(request, municipality),
        )
