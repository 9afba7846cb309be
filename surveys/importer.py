# SPDX-License-Identifier: EUPL-1.2
"""Answers collected elsewhere: `manage.py import_survey ANSWERS.csv --survey SLUG
[--places PLACES.geojson]`.

The CSV has a row per response and the columns of the survey's own export
(analysis.exports.survey): `uuid` (optional; it links the places to their response and
makes a second import of the same file refused, not doubled), `home_district` (a district
code, or empty) and a column per question named by its code: 1–5, an option's code,
several codes separated by `;`, or text. The export's other columns (submitted_at,
language, source, home_district_name, lon, lat, WKT) are ignored; any other column is an
error. The GeoJSON is a FeatureCollection (EPSG:4326) of Points and LineStrings with the
properties `response` (a CSV row's uuid), `question`, `reason`, `time_of_day` and `note`.

Every row and feature is checked as the survey page's answers are (surveys.services);
the first errors are reported naming the row or feature, and then nothing is stored. The
responses are stored in one transaction, with source `import` and no device.
"""

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from surveys.models import CHOICE_KINDS, SCALE_KINDS, QuestionKind, Response, ResponseSource, Survey
from surveys.services import Questions, SubmissionError, check, store

IGNORED_COLUMNS = {
    "submitted_at",
    "language",
    "source",
    "home_district_name",
    "lon",
    "lat",
    "x",
    "y",
    "WKT",
}
MAX_ERRORS = 20
# The export writes a text that a spreadsheet would run as a formula with an apostrophe in
# front; reading it back takes that apostrophe away again.
FORMULA_GUARD = re.compile(r"^'(?=[-=+@\t\r\n])")


class SurveyImportError(ValueError):
    """The file cannot be imported: `errors` lists what, naming rows and features."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportReport:
    responses: int = 0
    places: int = 0
    observations: int = 0
    errors: list[str] = field(default_factory=list)


def read_csv(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            return list(csv.DictReader(file))
    except UnicodeDecodeError as error:
        raise SurveyImportError(
            [_("%(path)s is not UTF-8 text (byte %(at)s).") % {"path": path, "at": error.start}]
        ) from error
    except csv.Error as error:
        raise SurveyImportError(
            [_("%(path)s is not CSV: %(error)s") % {"path": path, "error": error}]
        ) from error


def csv_value(question, text: str):
    """A cell as the page would send it: a number, a code, codes, or text."""
    text = text.strip()
    if not text:
        return None
    if question.kind in SCALE_KINDS:
        return int(text) if text.isdigit() else text
    if question.kind == QuestionKind.MULTIPLE:
        return [code.strip() for code in text.split(";") if code.strip()]
    if question.kind in CHOICE_KINDS or question.kind == QuestionKind.HOME_DISTRICT:
        return text
    return FORMULA_GUARD.sub("", text)


def read_places(path: Path | None, errors: list[str]) -> dict[str, list]:
    """The GeoJSON's features as the page's places, keyed by their response's uuid."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SurveyImportError(
            [_("%(path)s is not GeoJSON: %(error)s") % {"path": path, "error": error}]
        ) from error
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise SurveyImportError(
            [_("%(path)s is not a GeoJSON FeatureCollection.") % {"path": path}]
        )
    crs = ((data.get("crs") or {}).get("properties") or {}).get("name", "")
    if crs and not crs.endswith(("CRS84", "4326")):
        raise SurveyImportError(
            [_("%(path)s is in %(crs)s; give it in EPSG:4326.") % {"path": path, "crs": crs}]
        )
    places: dict[str, list] = {}
    for number, feature in enumerate(data.get("features") or [], start=1):
        properties = (feature or {}).get("properties") or {}
        response = str(properties.get("response") or "")
        if not response:
            errors.append(_("Feature %(n)s: it names no response.") % {"n": number})
            continue
        places.setdefault(response, []).append(
            (
                number,
                {
                    "question": properties.get("question"),
                    "geometry": feature.get("geometry"),
                    "reason": properties.get("reason") or None,
                    "time_of_day": properties.get("time_of_day") or None,
                    "note": properties.get("note") or "",
                },
            )
        )
    return places


def import_survey(
    survey: Survey,
    answers_path,
    places_path=None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every row and feature, then store them all, or nothing (SurveyImportError)."""
    rows = read_csv(Path(answers_path))
    errors: list[str] = []
    places = read_places(Path(places_path) if places_path else None, errors)
    questions = Questions(survey)
    known = {*questions.by_code, "uuid", *IGNORED_COLUMNS}
    unknown = [name for name in (rows[0].keys() if rows else []) if name not in known]
    if unknown:
        raise SurveyImportError(
            [
                _("Row 1: unknown column %(column)s: no question has this code.")
                % {"column": unknown[0]}
            ]
        )
    seen, checked = set(), []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        submission = {
            "uuid": row.get("uuid") or None,
            "answers": {
                code: value
                for code, text in row.items()
                if code in questions.by_code
                and (value := csv_value(questions.by_code[code], text or "")) is not None
            },
        }
        key = submission["uuid"] or ""
        features = places.pop(key, []) if key else []
        submission["places"] = [place for _n, place in features]
        try:
            result = check(questions, submission)
        except SubmissionError as error:
            for name, message in error.errors.items():
                if name.startswith("places["):
                    index = int(name[7 : name.index("]")])
                    name = (
                        _("feature %(n)s") % {"n": features[index][0]} + name[name.index("]") + 1 :]
                    )
                errors.append(
                    _("Row %(row)s: %(field)s: %(message)s")
                    % {"row": number, "field": name, "message": message}
                )
            result = None
        if result is not None:
            if result[0] in seen:
                errors.append(
                    _("Row %(row)s: the uuid %(uuid)s is given twice.")
                    % {"row": number, "uuid": result[0]}
                )
            seen.add(result[0])
            checked.append(result)
        if progress and number % 1000 == 0:
            progress(number - 1, len(rows))
        if len(errors) >= MAX_ERRORS:
            break
    for response, features in places.items():
        errors.append(
            _("Feature %(n)s: no row has the response %(response)s.")
            % {"n": features[0][0], "response": response}
        )
    already = Response.objects.filter(uuid__in=seen).values_list("uuid", flat=True)[:1]
    for uuid in already:
        errors.append(
            _("The response %(uuid)s is already stored: this file was imported before.")
            % {"uuid": uuid}
        )
    if errors:
        raise SurveyImportError(errors[:MAX_ERRORS])
    report = ImportReport()
    with transaction.atomic():
        for result in checked:
            store(survey, result, source=ResponseSource.IMPORT)
            report.responses += 1
            report.places += len(result[3])
            report.observations += sum(place.observation is not None for place in result[3])
    if progress:
        progress(len(rows), len(rows))
    return report
