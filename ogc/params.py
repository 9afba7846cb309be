# SPDX-License-Identifier: EUPL-1.2
"""Query parameters of OGC API – Features, read and checked before any query runs.

Core (OGC 17-069r4): `limit`, `bbox`, `datetime`, plus `offset` for the `next` links;
Part 2 (OGC 18-058): `crs` and `bbox-crs`; `f` (json or html) on every resource; the
collection's queryables as property filters. A parameter the resource does not know, one
given twice, or a bad value is a 400 that names it (/req/core/query-param-unknown,
/req/core/query-param-invalid), in the caller's language.
"""

import datetime
from dataclasses import dataclass

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from ogc.crs import CRS, CRS84, SUPPORTED

DEFAULT_LIMIT = 100
# Advertised in the OpenAPI document; a larger `limit` is lowered to it, not refused
# (OGC 17-069r4, 7.15.3: a limit above the maximum shall not be an error).
MAX_LIMIT = 10_000
MAX_OFFSET = 10**9

FORMATS = ("json", "html")
ITEM_PARAMETERS = ("f", "limit", "offset", "bbox", "bbox-crs", "datetime", "crs")


def single_values(request, known) -> dict[str, str]:
    """{name: value} of the query, or a 400 naming each unknown or repeated parameter."""
    errors, values = {}, {}
    for name, given in request.query_params.lists():
        if name not in known:
            errors[name] = [_("Unknown query parameter.")]
        elif len(set(given)) > 1:
            # The same value twice is tolerated: GDAL before 3.7 appends the query of its
            # connection string to every link it follows, `next` links included.
            errors[name] = [_("Give this parameter once.")]
        else:
            values[name] = given[0]
    if errors:
        raise ValidationError(errors)
    return values


def read_format(values: dict) -> str | None:
    """'json', 'html', or None when the Accept header decides."""
    fmt = values.get("f")
    if fmt is not None and fmt not in FORMATS:
        raise ValidationError({"f": [_("Give json or html.")]})
    return fmt


def read_crs(values: dict, name: str) -> CRS:
    uri = values.get(name)
    if uri is None:
        return CRS84
    crs = SUPPORTED.get(uri.strip())
    if crs is None:
        raise ValidationError(
            {
                name: [
                    _("Not a coordinate system of this collection. Give one of: %(list)s.")
                    % {"list": ", ".join(SUPPORTED)}
                ]
            }
        )
    return crs


@dataclass
class ItemQuery:
    fmt: str | None
    limit: int
    offset: int
    crs: CRS
    area: Polygon | MultiPolygon | None
    # (start, end) in UTC; None leaves that end open.
    period: tuple[datetime.datetime | None, datetime.datetime | None] | None
    # The collection's queryables, as given: checked by the collection's own filters.
    properties: dict[str, str]


def read_items_query(request, queryables) -> ItemQuery:
    values = single_values(request, (*ITEM_PARAMETERS, *queryables))
    errors = {}

    def attempt(name, read, *args):
        try:
            return read(*args)
        except ValidationError as error:
            errors.update(error.detail)

    fmt = attempt("f", read_format, values)
    limit = attempt("limit", _read_limit, values.get("limit"))
    offset = attempt("offset", _read_offset, values.get("offset"))
    crs = attempt("crs", read_crs, values, "crs")
    bbox_crs = attempt("bbox-crs", read_crs, values, "bbox-crs")
    area = None
    if "bbox" in values and bbox_crs is not None:
        area = attempt("bbox", read_bbox, values["bbox"], bbox_crs)
    elif "bbox-crs" in values and "bbox" not in values:
        errors["bbox-crs"] = [_("Give it together with bbox.")]
    period = attempt("datetime", read_datetime, values.get("datetime"))
    if errors:
        raise ValidationError(errors)
    properties = {name: value for name, value in values.items() if name in queryables}
    return ItemQuery(fmt, limit, offset, crs, area, period, properties)


def _integer(text: str, name: str, low: int) -> int:
    try:
        number = int(text)
    except ValueError:
        raise ValidationError({name: [_("Give a whole number.")]}) from None
    if number < low:
        raise ValidationError({name: [_("Give at least %(low)d.") % {"low": low}]})
    return number


def _read_limit(text) -> int:
    if text is None:
        return DEFAULT_LIMIT
    return min(_integer(text, "limit", 1), MAX_LIMIT)


def _read_offset(text) -> int:
    if text is None:
        return 0
    number = _integer(text, "offset", 0)
    if number > MAX_OFFSET:
        raise ValidationError({"offset": [_("Give at most %(high)d.") % {"high": MAX_OFFSET}]})
    return number


def read_bbox(text: str, crs: CRS) -> Polygon | MultiPolygon:
    """Four numbers (or six, with heights, which are ignored) in the axis order of `crs`.

    In CRS84 and EPSG:4326 a box whose west edge is east of its east edge crosses the
    antimeridian, as OGC 17-069r4 allows: it becomes two boxes.
    """
    fail = ValidationError(
        {"bbox": [_("Give four numbers, lower corner then upper corner, separated by commas.")]}
    )
    try:
        numbers = [float(part) for part in text.split(",")]
    except ValueError:
        raise fail from None
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or any(n != n or abs(n) == float("inf") for n in numbers):
        raise fail
    if crs.northing_first:
        numbers = [numbers[1], numbers[0], numbers[3], numbers[2]]
    min_x, min_y, max_x, max_y = numbers
    geographic = crs.srid == CRS84.srid
    if geographic and not (
        -180 <= min_x <= 180 and -180 <= max_x <= 180 and -90 <= min_y <= 90 and -90 <= max_y <= 90
    ):
        raise ValidationError(
            {"bbox": [_("Longitudes must be within -180…180 and latitudes within -90…90.")]}
        )
    if min_y > max_y or (min_x > max_x and not geographic):
        raise ValidationError({"bbox": [_("The lower corner must be below the upper corner.")]})
    if min_x > max_x:
        return MultiPolygon(
            Polygon.from_bbox((min_x, min_y, 180, max_y)),
            Polygon.from_bbox((-180, min_y, max_x, max_y)),
            srid=crs.srid,
        )
    box = Polygon.from_bbox((min_x, min_y, max_x, max_y))
    box.srid = crs.srid
    return box


def read_datetime(text: str | None):
    """An instant or an interval (`start/end`, `../end`, `start/..`) as (start, end) in UTC.

    A date without a time is the whole day in UTC; a time without an offset is UTC too.
    """
    if text is None:
        return None
    parts = text.split("/")
    if len(parts) > 2:
        raise _bad_datetime()
    if len(parts) == 1:
        start, end = _moment(parts[0], end=False), _moment(parts[0], end=True)
        if start is None:
            raise _bad_datetime()
        return start, end
    open_start, open_end = parts[0] in ("..", ""), parts[1] in ("..", "")
    start = None if open_start else _moment(parts[0], end=False)
    end = None if open_end else _moment(parts[1], end=True)
    if (start is None and not open_start) or (end is None and not open_end):
        raise _bad_datetime()
    if open_start and open_end:
        raise _bad_datetime()
    if start and end and start > end:
        raise ValidationError({"datetime": [_("The interval must not end before it starts.")]})
    return start, end


def _bad_datetime():
    return ValidationError(
        {
            "datetime": [
                _(
                    "Give an RFC 3339 date-time or an interval, e.g. 2026-11-01T00:00:00Z/.. "
                    "or 2026-11-01/2026-11-30."
                )
            ]
        }
    )


def _moment(text: str, *, end: bool) -> datetime.datetime | None:
    text = text.strip().replace(" ", "+")
    try:
        day = parse_date(text) if len(text) == 10 else None
        if day is not None:
            moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
        else:
            moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment
