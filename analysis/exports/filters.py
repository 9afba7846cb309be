# SPDX-License-Identifier: EUPL-1.2
"""Export filters: query-string text in, values checked against the database out.

The names, parsers and their meaning for observations are walks.filters' vocabulary, the
same as the observation list's; a layer says which of them it takes (layers.py).
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from analysis.exports.layers import layers_of
from walks.filters import FILTERS, FilterError, check_filters, parse_filter


class BadExportRequest(ValueError):
    """The request cannot be exported as asked; `parameter` names the culprit, if one."""

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.parameter = parameter


def parse_filters(layer: str, params: Mapping[str, str]) -> dict:
    """Check query-string filters for a layer (or "all"); unknown names are refused."""
    accepted = {name for each in layers_of(layer) for name in each.filters}
    filters = {}
    for name, value in params.items():
        if name not in FILTERS:
            raise BadExportRequest(
                _("Unknown parameter %(name)r. Exports take: %(known)s.")
                % {"name": name, "known": ", ".join(["crs", "lang", *FILTERS])},
                name,
            )
        if name not in accepted:
            raise BadExportRequest(
                _("%(name)s does not filter %(layer)s.") % {"name": name, "layer": layer}, name
            )
        try:
            filters[name] = parse_filter(name, value)
        except FilterError as error:
            raise BadExportRequest(naming(name, str(error)), name) from error
    for name, message in check_filters(filters).items():
        raise BadExportRequest(naming(name, message), name)
    return filters


def naming(name: str, message: str) -> str:
    """The message, with the parameter's name in front unless it names it already."""
    return message if name in message else f"{name}: {message}"
