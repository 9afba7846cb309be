# SPDX-License-Identifier: EUPL-1.2
"""Storing one resident's answers: the survey page and the import go through `submit`.

A submission is a dict (the page's JSON, or one row of an imported file):

    {"uuid": "…", "language": "fi",
     "answers": {"home_district": "01", "safety_day": 4, "safety_dark": 2,
                 "unsafe_because": ["lighting", "traffic"], "avoid_evening": "often",
                 "age_group": "30_49", "ideas": "…"},
     "places": [{"question": "unsafe_places", "geometry": {"type": "Point", …},
                 "reason": "lighting", "time_of_day": "dark", "note": "…"}]}

Answers are keyed by the question's code: 1–5 for perceived safety, an option's code for a
single choice and the age group, a list of them for a multiple choice, text, and a district
code for the district of residence. Nothing is stored unless all of it is valid; the errors
say which answer or place, in the caller's language.
"""

import json
import uuid as uuid_module
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSException, GEOSGeometry, LineString, Point
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import (
    CHOICE_KINDS,
    MAP_KINDS,
    SCALE_KINDS,
    Answer,
    Place,
    QuestionKind,
    Response,
    ResponseSource,
    Survey,
    TimeOfDay,
    device_hash,
)
from walks.models import Category, LightCondition, Observation, PositionSource, Source, Visibility

MAX_TEXT = 2000
MAX_PLACES = 50
MAX_LINE_POSITIONS = 500


class SubmissionError(ValueError):
    """Bad input: `errors` maps what was wrong (an answer's code, `places[2].reason`…) to a
    message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))
        self.errors = errors


class AlreadyAnswered(Exception):
    """This device has answered the survey already (with another submission)."""


class SurveyClosed(Exception):
    pass


@dataclass
class Submitted:
    response: Response
    created: bool


def clean_text(value, key, errors) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = _("Expected text.")
        return ""
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        errors[key] = _("The text contains characters that cannot be stored.")
        return ""
    if len(value) > MAX_TEXT:
        errors[key] = _("At most %(count)s characters.") % {"count": MAX_TEXT}
        return ""
    return value.strip()


class Questions:
    """The survey's questions and options, read once, to check submissions against."""

    def __init__(self, survey: Survey):
        self.survey = survey
        self.by_code = {q.code: q for q in survey.questions.prefetch_related("options")}
        self.options = {
            code: {option.code: option for option in question.options.all()}
            for code, question in self.by_code.items()
        }
        self.districts = {d.code: d for d in survey.municipality.districts.defer("geom")}
        self.boundary = survey.municipality.geom.prepared

    def answers(self, given, errors) -> tuple[list[Answer], object]:
        """The Answer rows (unsaved) and the district of residence."""
        rows, district = [], None
        if given is None:
            given = {}
        if not isinstance(given, dict):
            errors["answers"] = _("Expected the answers keyed by question.")
            return rows, district
        for code, value in given.items():
            question = self.by_code.get(code)
            if question is None or question.kind in MAP_KINDS:
                errors[str(code)] = _("There is no such question in this survey.")
                continue
            if value in (None, "", []):
                continue
            kind = question.kind
            if kind in SCALE_KINDS:
                if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                    errors[code] = _("Choose a number from 1 to 5.")
                    continue
                rows.append(Answer(question=question, number=value))
            elif kind in CHOICE_KINDS:
                chosen = value if kind == QuestionKind.MULTIPLE else [value]
                if (
                    not isinstance(chosen, list)
                    or kind != QuestionKind.MULTIPLE
                    and len(chosen) != 1
                ):
                    errors[code] = _("Expected a list of choices.")
                    continue
                unknown = [
                    v for v in chosen if not isinstance(v, str) or v not in self.options[code]
                ]
                if unknown:
                    errors[code] = _("Unknown choice: %(choice)s.") % {"choice": unknown[0]}
                    continue
                for option_code in dict.fromkeys(chosen):
                    rows.append(Answer(question=question, option=self.options[code][option_code]))
            elif kind == QuestionKind.TEXT:
                text = clean_text(value, code, errors)
                if text:
                    rows.append(Answer(question=question, text=text))
            elif kind == QuestionKind.HOME_DISTRICT:
                district = self.districts.get(str(value))
                if district is None:
                    errors[code] = _("There is no district %(code)s in this municipality.") % {
                        "code": value
                    }
        for code, question in self.by_code.items():
            if question.required and given.get(code) in (None, "", []) and code not in errors:
                errors[code] = _("This question needs an answer.")
        return rows, district

    def places(self, given, errors) -> list[Place]:
        if given is None:
            return []
        if not isinstance(given, list):
            errors["places"] = _("Expected a list of places.")
            return []
        if len(given) > MAX_PLACES:
            errors["places"] = _("At most %(count)s places.") % {"count": MAX_PLACES}
            return []
        return [
            place
            for n, spec in enumerate(given)
            if (place := self.place(spec, f"places[{n}]", errors)) is not None
        ]

    def place(self, spec, key, errors) -> Place | None:
        if not isinstance(spec, dict):
            errors[key] = _("Expected a place.")
            return None
        question = self.by_code.get(spec.get("question"))
        if question is None or question.kind not in MAP_KINDS:
            errors[f"{key}.question"] = _("There is no such map question in this survey.")
            return None
        line = self.geometry(spec.get("geometry"), question.kind, f"{key}.geometry", errors)
        reason = spec.get("reason") or None
        if reason is not None and reason not in self.options[question.code]:
            errors[f"{key}.reason"] = _("Unknown choice: %(choice)s.") % {"choice": reason}
        time_of_day = spec.get("time_of_day") or TimeOfDay.ALWAYS
        if time_of_day not in TimeOfDay.values:
            errors[f"{key}.time_of_day"] = _("Unknown time of day: %(value)s.") % {
                "value": time_of_day
            }
        note = clean_text(spec.get("note"), f"{key}.note", errors)
        if line is None or any(name.startswith(key) for name in errors):
            return None
        point = line if isinstance(line, Point) else line.interpolate_normalized(0.5)
        point.srid = 4326
        return Place(
            question=question,
            geom=point,
            stretch=line if isinstance(line, LineString) else None,
            reason=self.options[question.code].get(reason) if reason else None,
            time_of_day=time_of_day,
            note=note,
        )

    def geometry(self, value, kind, key, errors):
        expected = "Point" if kind == QuestionKind.MAP_POINT else "LineString"
        if not isinstance(value, dict) or value.get("type") != expected:
            errors[key] = _("Expected a GeoJSON %(type)s.") % {"type": expected}
            return None
        try:
            geometry = GEOSGeometry(json.dumps(value), srid=4326)
        except (GEOSException, ValueError, TypeError):
            errors[key] = _("The geometry cannot be read.")
            return None
        if kind == QuestionKind.MAP_LINE and not 2 <= geometry.num_points <= MAX_LINE_POSITIONS:
            errors[key] = _("A stretch has from 2 to %(count)s positions.") % {
                "count": MAX_LINE_POSITIONS
            }
            return None
        if not geometry.valid or not self.boundary.covers(geometry):
            errors[key] = _("The place is outside the municipality.")
            return None
        return geometry


def submission_uuid(value, errors):
    if value in (None, ""):
        return uuid_module.uuid4()
    try:
        return uuid_module.UUID(str(value))
    except ValueError:
        errors["uuid"] = _("Not a UUID.")
        return None


def check(questions: Questions, submission) -> tuple:
    """The checked submission: (uuid, answers, district, places); SubmissionError else."""
    if not isinstance(submission, dict):
        raise SubmissionError({"answers": _("Expected a JSON object.")})
    errors: dict[str, str] = {}
    response_uuid = submission_uuid(submission.get("uuid"), errors)
    answers, district = questions.answers(submission.get("answers"), errors)
    places = questions.places(submission.get("places"), errors)
    if errors:
        raise SubmissionError(errors)
    return response_uuid, answers, district, places


def store(survey, checked, *, device=None, language="", source=ResponseSource.PAGE) -> Response:
    """Saves a checked submission (inside the caller's transaction)."""
    response_uuid, answers, district, places = checked
    response = Response.objects.create(
        survey=survey,
        uuid=response_uuid,
        device=device,
        home_district=district,
        language=language if language in ("fi", "sv", "en") else "",
        source=source,
    )
    for row in answers:
        row.response = response
    Answer.objects.bulk_create(answers)
    for place in places:
        place.response = response
    if survey.map_answers_to_observations:
        observations_from(survey, places, response)
    Place.objects.bulk_create(places)
    return response


# A place's time of day as an observation's light; "at any time" says nothing of the light.
LIGHT = {
    TimeOfDay.DAYLIGHT: LightCondition.DAYLIGHT,
    TimeOfDay.DUSK: LightCondition.DUSK,
    TimeOfDay.DARK: LightCondition.DARK,
}
# The category of a place whose reason names none (or that has no reason).
DEFAULT_CATEGORY = {False: "unsafe_place", True: "safe_place"}


def observations_from(survey: Survey, places: list[Place], response: Response) -> None:
    """Each place becomes an observation with source `survey`, so that it shows on the heat
    map and in the district picture like the walks' findings: its reason's category (the
    default unsafe or safe place without one), positive for a safe-places question, public
    unless the category is sensitive. Nothing in it says who answered."""
    defaults = {c.code: c for c in Category.objects.filter(code__in=DEFAULT_CATEGORY.values())}
    made = []
    for place in places:
        category = (place.reason and place.reason.category) or defaults.get(
            DEFAULT_CATEGORY[place.question.positive]
        )
        if category is None:
            continue
        place.observation = Observation(
            municipality=survey.municipality,
            geom=place.geom,
            stretch=place.stretch,
            position_source=PositionSource.MAP
            if response.source == ResponseSource.PAGE
            else PositionSource.IMPORT,
            source=Source.SURVEY,
            category=category,
            is_positive=place.question.positive or category.is_positive,
            light_condition=LIGHT.get(place.time_of_day, ""),
            description=place.note,
            visibility=Visibility.INTERNAL if category.is_sensitive else Visibility.PUBLIC,
            observed_at=response.submitted_at,
        )
        made.append(place.observation)
    Observation.objects.bulk_create(made)


def submit(survey: Survey, submission, *, device_token: str | None) -> Submitted:
    """One resident's answers from the page, once per device.

    The same submission sent again (same UUID, same device: a retry) returns the stored
    response; another submission from a device that has answered raises AlreadyAnswered.
    """
    if not survey.is_open_on(timezone.localdate()):
        raise SurveyClosed()
    device = device_hash(device_token) if device_token else None
    stored = Response.objects.filter(survey=survey, device=device).first() if device else None
    if stored is not None:
        if str(stored.uuid) == str(submission.get("uuid") if isinstance(submission, dict) else ""):
            return Submitted(stored, False)
        raise AlreadyAnswered()
    checked = check(Questions(survey), submission)
    language = submission.get("language") or ""
    try:
        with transaction.atomic():
            return Submitted(store(survey, checked, device=device, language=language), True)
    except IntegrityError:
        # Two uploads of one phone at once, or a UUID already used: whichever came first
        # stands, and this one is the retry or the second answer.
        stored = Response.objects.filter(uuid=checked[0]).first()
        if stored is not None and stored.survey_id == survey.pk and stored.device == device:
            return Submitted(stored, False)
        raise AlreadyAnswered() from None
