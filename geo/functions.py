# SPDX-License-Identifier: EUPL-1.2
"""PostGIS functions Django does not declare, each a few lines."""

from django.contrib.gis.db.models import GeometryField
from django.db.models import CharField, FloatField, Func, Transform


class PointX(Transform):
    """`geom__x`: the point's first coordinate (longitude in EPSG:4326)."""

    lookup_name = "x"
    function = "ST_X"
    output_field = FloatField()


class PointY(Transform):
    """`geom__y`: the point's second coordinate (latitude in EPSG:4326)."""

    lookup_name = "y"
    function = "ST_Y"
    output_field = FloatField()


GeometryField.register_lookup(PointX)
GeometryField.register_lookup(PointY)


class ConcatWS(Func):
    """concat_ws(separator, a, b, ...): the non-NULL values joined by the separator."""

    function = "concat_ws"
    output_field = CharField()
