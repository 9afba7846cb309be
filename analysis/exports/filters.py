# SPDX-License-Identifier: EUPL-1.2
"""Export filters: query-string text in, values checked against the database out."""

from collections.abc import Mapping
from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from analysis.exports.layers import layers_of
from geo.models import District, Municipality
from walks.models import Category, LightCondition, SafetyWalk, Status, Theme


class BadExportRequest(ValueError):
    """The request cannot be exported as asked; `parameter` names the culprit, if one."""

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.parameter = parameter


def _one(model, parameter, **lookup):
    found = model.objects.filter(**lookup).first()
    if found is None:
        value = next(iter(lookup.values()))
        raise BadExportRequest(
            _("%(parameter)s: nothing has the code or id %(value)s.")
            % {"parameter": parameter, "value": value},
            parameter,
        )
    return found


def _id(parameter, value):
    if not value.strip().isdigit():
        raise BadExportRequest(
            _("%(parameter)s must be a number, not %(value)r.")
            % {"parameter": parameter, "value": value},
            parameter,
        )
    return int(value)


def _codes(parameter, value, known):
    codes = [code.strip() for code in value.split(",") if code.strip()]
    unknown = sorted(set(codes) - set(known))
    if not codes or unknown:
        raise BadExportRequest(
            _("%(parameter)s: unknown value %(value)s. Known: %(known)s.")
            % {
                "parameter": parameter,
                "value": ", ".join(unknown) or "''",
                "known": ", ".join(sorted(known)),
            },
            parameter,
        )
    return codes


def _moment(parameter, value):
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if day:
        moment = datetime.combine(day, time())
    if moment is None:
        raise BadExportRequest(
            _(
                "%(parameter)s must be a date or a time like 2026-11-23 or "
                "2026-11-23T18:00, not %(value)r."
            )
            % {"parameter": parameter, "value": value},
            parameter,
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _yes_no(parameter, value):
    answer = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    if value.lower() not in answer:
        raise BadExportRequest(
            _("%(parameter)s must be true or false, not %(value)r.")
            % {"parameter": parameter, "value": value},
            parameter,
        )
    return answer[value.lower()]


def _codes_of(model):
    return lambda p, v: _codes(p, v, model.objects.values_list("code", flat=True))


PARSERS = {
    "municipality": lambda p, v: _one(Municipality, p, code=v.strip()),
    "district": lambda p, v: _one(District, p, pk=_id(p, v)),
    "category": _codes_of(Category),
    "theme": _codes_of(Theme),
    "status": lambda p, v: _codes(p, v, Status.values),
    "walk": lambda p, v: _one(SafetyWalk, p, pk=_id(p, v)),
    "observed_after": _moment,
    "observed_before": _moment,
    "light": lambda p, v: _codes(p, v, LightCondition.values),
    "positive": _yes_no,
}


def parse_filters(layer: str, params: Mapping[str, str]) -> dict:
    """Check query-string filters for a layer (or "all"); unknown names are refused."""
    accepted = {name for each in layers_of(layer) for name in each.filters}
    filters = {}
    for name, value in params.items():
        if name not in PARSERS:
            raise BadExportRequest(
                _("Unknown parameter %(name)r. Exports take: %(known)s.")
                % {"name": name, "known": ", ".join(["crs", "lang", *PARSERS])},
                name,
            )
        if name not in accepted:
            raise BadExportRequest(
                _("%(name)s does not filter %(layer)s.") % {"name": name, "layer": layer}, name
            )
        filters[name] = PARSERS[name](name, value)
    return filters
