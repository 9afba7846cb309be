# SPDX-License-Identifier: EUPL-1.2
"""The observation filters, defined once: name → parser → QuerySet method.

Every surface that narrows observations takes exactly these names and reads them with
these parsers: the REST list, the clusters, the heat map and the hotspot → action of the
API (api.filters wraps each parser in a serializer field, which is also what the OpenAPI
document shows), the exports (analysis.exports.filters) and the map workspace, whose filter
list comes from `FILTERS` in its configuration. tests/api/test_filter_vocabulary.py fails
when a name is missing from one of them.

A parser takes the query-string text and returns the value the QuerySet method wants, or
raises FilterError with a sentence in the user's language. Values that name things
(municipality, district, walk, category, theme, unit) are checked against the database,
so a typo is an error, never an empty answer.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time

from django.contrib.gis.geos import Polygon
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geo.models import District, Municipality
from walks.models import (
    Category,
    LightCondition,
    Moderation,
    ObservationQuerySet,
    ResponsibleUnit,
    SafetyWalk,
    Source,
    Status,
    Theme,
)


class FilterError(ValueError):
    """A filter's value cannot be read; the message says why, in the user's language."""


@dataclass(frozen=True)
class Filter:
    name: str
    parse: Callable[[str, str], object]  # (name, text) -> value, or FilterError
    apply: Callable[[ObservationQuerySet, object], ObservationQuerySet]
    help: str
    schema: dict  # the query parameter's OpenAPI schema


# --- parsers ------------------------------------------------------------------------------


def _number(name: str, text: str) -> int:
    if not text.strip().isdigit() or len(text.strip()) > 18:
        raise FilterError(
            _("%(parameter)s must be a number, not %(value)r.") % {"parameter": name, "value": text}
        )
    return int(text)


def _one(model, field: str):
    """One row, named by its code (field "code") or its id (field "pk")."""

    def parse(name: str, text: str):
        value = _number(name, text) if field == "pk" else text.strip()
        found = model.objects.filter(**{field: value}).first()
        if found is None:
            raise FilterError(
                _("%(parameter)s: nothing has the code or id %(value)s.")
                % {"parameter": name, "value": value}
            )
        return found

    return parse


def _codes(known: Callable[[], object]):
    """A comma-separated list of codes, each one of `known()`."""

    def parse(name: str, text: str) -> list[str]:
        codes = [code.strip() for code in text.split(",") if code.strip()]
        allowed = {str(code) for code in known()}
        unknown = sorted(set(codes) - allowed)
        if not codes or unknown:
            raise FilterError(
                _("%(parameter)s: unknown value %(value)s. Known: %(known)s.")
                % {
                    "parameter": name,
                    "value": ", ".join(unknown) or "''",
                    "known": ", ".join(sorted(allowed)),
                }
            )
        return codes

    return parse


def _codes_of(model):
    return _codes(lambda: model.objects.values_list("code", flat=True))


def _severity(name: str, text: str) -> int:
    value = _number(name, text)
    if not 1 <= value <= 5:
        raise FilterError(
            _("%(parameter)s must be from 1 to 5, not %(value)s.")
            % {"parameter": name, "value": value}
        )
    return value


def _moment(name: str, text: str) -> datetime:
    """A date (its start, local time) or a date-time (local time unless it says)."""
    moment = None
    # An unencoded "+02:00" arrives as " 02:00": a sync client means the plus sign.
    for candidate in (text.strip(), text.strip().replace(" ", "+")):
        try:
            moment = parse_datetime(candidate)
            day = None if moment else parse_date(candidate)
        except ValueError:
            moment = day = None
        if day:
            moment = datetime.combine(day, time())
        if moment is not None:
            break
    if moment is None:
        raise FilterError(
            _(
                "%(parameter)s must be a date or a time like 2026-11-23 or "
                "2026-11-23T18:00, not %(value)r."
            )
            % {"parameter": name, "value": text}
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _yes_no(name: str, text: str) -> bool:
    answer = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if text.strip().lower() not in answer:
        raise FilterError(
            _("%(parameter)s must be true or false, not %(value)r.")
            % {"parameter": name, "value": text}
        )
    return answer[text.strip().lower()]


def _bbox(name: str, text: str) -> Polygon:
    try:
        numbers = [float(part) for part in text.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or any(n != n or n in (float("inf"), float("-inf")) for n in numbers):
        raise FilterError(_("Give four numbers: minLon,minLat,maxLon,maxLat."))
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180) or not (
        -90 <= min_lat <= 90 and -90 <= max_lat <= 90
    ):
        raise FilterError(_("Longitudes must be within -180…180 and latitudes within -90…90."))
    if min_lon >= max_lon or min_lat >= max_lat:
        raise FilterError(_("The minimum must be less than the maximum."))
    return Polygon.from_bbox(numbers)


# --- the table ----------------------------------------------------------------------------

_TEXT = {"type": "string"}
_ID = {"type": "integer", "minimum": 1}
_SEVERITY = {"type": "integer", "minimum": 1, "maximum": 5}
_MOMENT = {"type": "string", "description": "YYYY-MM-DD or an ISO 8601 date-time"}

FILTERS: dict[str, Filter] = {
    each.name: each
    for each in (
        Filter(
            "bbox",
            _bbox,
            ObservationQuerySet.in_bbox,
            gettext_lazy("minLon,minLat,maxLon,maxLat in WGS84, e.g. 26.90,60.44,26.98,60.48."),
            _TEXT,
        ),
        Filter(
            "municipality",
            _one(Municipality, "code"),
            ObservationQuerySet.in_municipality,
            gettext_lazy("Municipality code."),
            _TEXT,
        ),
        Filter(
            "district",
            _one(District, "pk"),
            ObservationQuerySet.in_district,
            gettext_lazy("District id."),
            _ID,
        ),
        Filter(
            "category",
            _codes_of(Category),
            ObservationQuerySet.in_categories,
            gettext_lazy("Category codes, comma-separated."),
            _TEXT,
        ),
        Filter(
            "theme",
            _codes_of(Theme),
            lambda rows, codes: rows.in_theme(*codes),
            gettext_lazy("Theme codes, comma-separated."),
            _TEXT,
        ),
        Filter(
            "status",
            _codes(lambda: Status.values),
            ObservationQuerySet.with_status,
            gettext_lazy("Statuses, comma-separated: new, confirmed, assigned, in_progress, …"),
            _TEXT,
        ),
        Filter(
            "source",
            _codes(lambda: Source.values),
            ObservationQuerySet.from_sources,
            gettext_lazy("Sources, comma-separated: walk, resident, staff, survey, import."),
            _TEXT,
        ),
        Filter(
            "moderation",
            _codes(lambda: Moderation.values),
            ObservationQuerySet.in_moderation,
            gettext_lazy(
                "Moderation of residents' reports, comma-separated: pending (to moderate), "
                "accepted, text_hidden, rejected, none."
            ),
            _TEXT,
        ),
        Filter(
            "walk",
            _one(SafetyWalk, "pk"),
            ObservationQuerySet.in_walk,
            gettext_lazy("Walk id."),
            _ID,
        ),
        Filter(
            "severity_min",
            _severity,
            lambda rows, low: rows.severity_between(low=low),
            gettext_lazy("Severity at least this (1–5)."),
            _SEVERITY,
        ),
        Filter(
            "severity_max",
            _severity,
            lambda rows, high: rows.severity_between(high=high),
            gettext_lazy("Severity at most this (1–5)."),
            _SEVERITY,
        ),
        Filter(
            "observed_after",
            _moment,
            lambda rows, moment: rows.observed_between(start=moment),
            gettext_lazy(
                "Observed on or after this day or moment (YYYY-MM-DD or ISO 8601, local "
                "time unless it says)."
            ),
            _MOMENT,
        ),
        Filter(
            "observed_before",
            _moment,
            lambda rows, moment: rows.observed_between(end=moment),
            gettext_lazy(
                "Observed before this day or moment (YYYY-MM-DD or ISO 8601, local time "
                "unless it says)."
            ),
            _MOMENT,
        ),
        Filter(
            "light",
            _codes(lambda: LightCondition.values),
            ObservationQuerySet.in_light,
            gettext_lazy("Light conditions, comma-separated: daylight, dusk, dark."),
            _TEXT,
        ),
        Filter(
            "positive",
            _yes_no,
            ObservationQuerySet.positive,
            gettext_lazy("true: safe or pleasant places; false: problems."),
            {"type": "boolean"},
        ),
        Filter(
            "unit",
            _codes_of(ResponsibleUnit),
            ObservationQuerySet.for_units,
            gettext_lazy(
                "Responsible unit codes, comma-separated: the unit the observation is assigned "
                "to, or, while it is assigned to none, its category's default unit."
            ),
            _TEXT,
        ),
        Filter(
            "updated_since",
            _moment,
            ObservationQuerySet.changed_since,
            gettext_lazy("Changed at or after this moment (ISO 8601), for clients that sync."),
            _MOMENT,
        ),
    )
}


def parse_filter(name: str, text: str):
    return FILTERS[name].parse(name, str(text))


def check_filters(values: Mapping) -> dict[str, str]:
    """What is wrong with parsed filters taken together, by filter name; {} when nothing."""
    errors = {}
    low, high = values.get("severity_min"), values.get("severity_max")
    if low is not None and high is not None and low > high:
        errors["severity_min"] = _("Must not be above severity_max.")
    after, before = values.get("observed_after"), values.get("observed_before")
    if after is not None and before is not None and after >= before:
        errors["observed_after"] = _("Must be before observed_before.")
    return errors


def apply_filters(observations: ObservationQuerySet, values: Mapping) -> ObservationQuerySet:
    """Narrow the observations by every filter among `values` (other keys are left alone),
    in the vocabulary's order: the same question is the same SQL, whatever order it was
    asked in (the heat map names its pre-aggregates by their SQL)."""
    for name, each in FILTERS.items():
        if name in values:
            observations = each.apply(observations, values[name])
    return observations
