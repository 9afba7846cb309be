# SPDX-License-Identifier: EUPL-1.2
"""A survey's answers as files, for planners: through the same SELECT → ogr2ogr path as
every other export (select_sql, EXPORTERS).

- `responses`: one row per response, no geometry: its UUID, when and how it came, the
  district of residence (code and name), and a column per question named by the question's
  code: 1–5, an option's code, several codes joined by `;`, or text. `import_survey` reads
  the same columns, so an export can be imported into another survey of the same template.
- `places`: one feature per place marked on the map, a point or a line: the response's
  UUID, the question, the reason (code and text), the time of day, the note and the
  respondent's district.

Neither holds anything that says who answered: no device, no account.
"""

from pathlib import Path

from django.contrib.gis.db.models import GeometryField, PointField
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from analysis.exports import EXPORTERS, BadExportRequest, check_format, write
from analysis.exports.layers import (
    NUMBER,
    TIMESTAMP,
    Column,
    Layer,
    district_name,
    label,
    language,
    text,
)
from surveys.models import (
    MAP_KINDS,
    SCALE_KINDS,
    Answer,
    Place,
    QuestionKind,
    Response,
    Survey,
    TimeOfDay,
)

MULTIPLE_SEPARATOR = ";"


def answer_column(question) -> Column:
    answers = Answer.objects.filter(response=OuterRef("pk"), question=question).order_by()
    if question.kind in SCALE_KINDS:
        return Column(
            question.code, question.code[:10], Subquery(answers.values("number")[:1]), NUMBER
        )
    if question.kind == QuestionKind.TEXT:
        return Column(question.code, question.code[:10], Subquery(answers.values("text")[:1]))
    codes = (
        answers.values("response")
        .annotate(
            codes=StringAgg(
                "option__code", MULTIPLE_SEPARATOR, order_by=("option__order", "option__pk")
            )
        )
        .values("codes")
    )
    return Column(question.code, question.code[:10], Subquery(codes))


class SurveyResponses(Layer):
    name = "responses"
    model = Response
    geometry_type = "NONE"
    label_column = "uuid"

    def __init__(self, survey: Survey):
        self.survey = survey

    def rows(self, filters=None):
        return Response.objects.filter(survey=self.survey)

    def columns(self):
        asked = [
            question
            for question in self.survey.questions.all()
            if question.kind not in (*MAP_KINDS, QuestionKind.HOME_DISTRICT)
        ]
        return [
            Column("uuid", "uuid", text("uuid")),
            Column("submitted_at", "submitted", F("submitted_at"), TIMESTAMP),
            Column("source", "source", F("source")),
            Column("language", "language", F("language")),
            Column("home_district", "district", F("home_district__code")),
            Column("home_district_name", "distr_name", district_name("home_district__")),
            *(answer_column(question) for question in asked),
        ]

    def geometry(self):
        # No geometry: ogr2ogr writes a table (-nlt NONE); the column is only there for
        # select_sql, which gives every layer one.
        return Cast(Value(None), output_field=PointField(srid=4326))


class SurveyPlaces(Layer):
    name = "places"
    model = Place
    geometry_type = "GEOMETRY"
    label_column = "reason"

    def __init__(self, survey: Survey):
        self.survey = survey

    def rows(self, filters=None):
        return Place.objects.filter(response__survey=self.survey)

    def columns(self):
        return [
            Column("id", "id", F("id"), NUMBER),
            Column("response", "response", text("response__uuid")),
            Column("question", "question", F("question__code")),
            Column("reason", "reason", F("reason__code")),
            Column("reason_text", "reason_txt", F(f"reason__text_{language()}")),
            Column("time_of_day", "time", F("time_of_day")),
            Column("time_of_day_text", "time_txt", label("time_of_day", TimeOfDay.choices)),
            Column("note", "note", F("note")),
            Column("home_district", "district", F("response__home_district__code")),
        ]

    def geometry(self):
        return Coalesce("stretch", "geom", output_field=GeometryField(srid=4326))


SURVEY_LAYERS = ("responses", "places", "all")
SURVEY_FORMATS = ("csv", "geojson", "gpkg")


def export_survey(survey: Survey, layer: str, fmt: str, srid: int, path, *, lang=None) -> Path:
    """Write the survey's `layer` (responses, places, or all of them as GeoPackage)."""
    if layer not in SURVEY_LAYERS or fmt not in SURVEY_FORMATS:
        raise BadExportRequest(
            _("A survey exports responses or places as csv, geojson or gpkg, or all.gpkg.")
        )
    layers = {"responses": [SurveyResponses(survey)], "places": [SurveyPlaces(survey)]}.get(
        layer, [SurveyResponses(survey), SurveyPlaces(survey)]
    )
    exporter = EXPORTERS[fmt]
    check_format(exporter, fmt, len(layers), srid)
    return write([(each, each.rows()) for each in layers], exporter, srid, path, lang=lang)
