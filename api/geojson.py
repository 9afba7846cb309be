# SPDX-License-Identifier: EUPL-1.2
"""GeoJSON (RFC 7946) built by PostGIS, not feature by feature in Python.

A resource describes its Feature once, as a SQL expression (`Feature(...)`), and any
QuerySet — already filtered, ordered and visible to the caller — becomes one statement
that returns the whole FeatureCollection as text:

    SELECT json_build_object('type', 'FeatureCollection', 'count', n,
                             'next', ..., 'previous', ..., 'features', features)
    FROM (SELECT max(total) AS n, json_agg(feature) AS features
          FROM (<the page, with count(*) OVER () as total>) AS page) AS counted

The inner query comes from the QuerySet (`query.sql_with_params()`), so every value is a
bound parameter. Geometry is `ST_AsGeoJSON(geom, 6)`: lon/lat, six decimals (about
10 cm), with the exterior rings of polygons turned counter-clockwise as RFC 7946 asks
(ST_ForceRHR would make them clockwise). Lines keep the direction they were stored in:
PostGIS 3.3's ST_ForcePolygonCCW reverses every line it is given, so it is applied to
polygons only.
"""

from django.db import connection
from django.db.models import Func, JSONField, Value
from django.db.models.expressions import Expression

from api.parsers import JSONParser
from api.renderers import JSONRenderer

GEOJSON = "application/geo+json"


class GeoJSONGeometry(Func):
    """A geometry column as an RFC 7946 geometry object (json); see the module's doc.

    `decimals`: 6 for degrees (about 10 cm); fewer suit metres (OGC API in EPSG:3067)."""

    template = (
        "ST_AsGeoJSON(CASE WHEN GeometryType((%(expressions)s)::geometry)"
        " IN ('POLYGON', 'MULTIPOLYGON') THEN ST_ForcePolygonCCW((%(expressions)s)::geometry)"
        " ELSE (%(expressions)s)::geometry END, %(decimals)d)::json"
    )
    output_field = JSONField()

    def __init__(self, expression, *, decimals: int = 6, **extra):
        super().__init__(expression, decimals=int(decimals), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        # The geometry stands three times in the template, and its parameters with it.
        return sql, tuple(params) * self.template.count("%(expressions)s")


class JSONBuildObject(Func):
    """json_build_object('key', value, ...): keeps the keys in the order given."""

    function = "json_build_object"
    output_field = JSONField()

    def __init__(self, **members):
        pairs = []
        for key, value in members.items():
            pairs += [Value(key), value]
        super().__init__(*pairs)


def Feature(*, id: Expression, geometry: Expression, properties: dict) -> JSONBuildObject:  # noqa: N802
    return JSONBuildObject(
        type=Value("Feature"),
        id=id,
        geometry=GeoJSONGeometry(geometry),
        properties=JSONBuildObject(**properties),
    )


_COLLECTION = """
SELECT json_build_object(
    'type', 'FeatureCollection',
    'count', counted.n,
    'next', CASE WHEN counted.n > %s THEN %s::text END,
    'previous', %s::text,
    'features', counted.features
)::text
FROM (
    SELECT
        -- A page that is not full tells the total by itself; only a full page, or one
        -- past the end, runs the count (PostgreSQL evaluates the subquery only then).
        CASE WHEN count(page.feature) < %s AND (count(page.feature) > 0 OR %s = 0)
             THEN %s + count(page.feature)
             ELSE {count}
        END AS n,
        COALESCE(json_agg(page.feature), '[]') AS features
    FROM ({page}) AS page(feature)
) AS counted
"""


def feature_collection(
    queryset,
    feature: Expression,
    *,
    limit: int,
    offset: int,
    next_url: str,
    previous_url,
    total: int | None = None,
) -> bytes:
    """One page of `queryset` as a FeatureCollection with the total count and paging links.

    json_agg keeps the order of its sorted subquery (PostgreSQL documents this for a plain
    subquery without joins), so features come in the QuerySet's order. `total`: the count
    when the caller knows it already (counted from the kept cells), else it is counted here.
    """
    if total is None:
        matching_sql, matching_params = queryset.order_by().values("pk").query.sql_with_params()
        count = f"(SELECT count(*) FROM ({matching_sql}) AS matching)"
    else:
        count, matching_params = "%s", (total,)
    page = queryset.annotate(_feature=feature).values_list("_feature")[offset : offset + limit]
    page_sql, page_params = page.query.sql_with_params()
    sql = _COLLECTION.format(count=count, page=page_sql)
    # In the order the placeholders stand in the statement.
    params = (
        offset + limit,
        next_url,
        previous_url,
        limit,
        offset,
        offset,
        *matching_params,
        *page_params,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0].encode()


def single_feature(queryset, feature: Expression) -> bytes | None:
    """The first row of `queryset` as one Feature, or None when there is none."""
    sql, params = (
        queryset.annotate(_feature=feature).values_list("_feature")[:1].query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT page.feature::text FROM ({sql}) AS page(feature)", params)
        row = cursor.fetchone()
    return row[0].encode() if row else None


class GeoJSONRenderer(JSONRenderer):
    """Lets a client ask for application/geo+json; errors still come back as JSON."""

    media_type = GEOJSON
    format = "geojson"


class GeoJSONParser(JSONParser):
    media_type = GEOJSON


# OpenAPI descriptions of what the statements above return.

POSITION = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3}


def geometry_schema(*types: str, nullable: bool = False) -> dict:
    schema = {
        "type": "object",
        "description": "RFC 7946 geometry, longitude/latitude (EPSG:4326): " + ", ".join(types),
        "properties": {"type": {"type": "string", "enum": list(types)}, "coordinates": {}},
        "required": ["type", "coordinates"],
    }
    if nullable:
        schema["nullable"] = True
    return schema


def feature_schema(properties: dict, *types: str, nullable_geometry: bool = False) -> dict:
    return {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": geometry_schema(*types, nullable=nullable_geometry),
            "properties": {"type": "object", "properties": properties},
        },
        "required": ["type", "id", "geometry", "properties"],
    }


def collection_schema(feature: dict) -> dict:
    return {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "count": {"type": "integer", "description": "Features matching, on all pages."},
            "next": {"type": "string", "format": "uri", "nullable": True},
            "previous": {"type": "string", "format": "uri", "nullable": True},
            "features": {"type": "array", "items": feature},
        },
        "required": ["type", "count", "next", "previous", "features"],
    }
