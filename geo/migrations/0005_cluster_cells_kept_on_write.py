# SPDX-License-Identifier: EUPL-1.2
"""The map's clusters of "all" and "public" observations kept current on write, like the
heat cells (geo migration 0004), so that the map's first screen after a change sums cells
instead of scanning every observation of the municipality.

`geo_clustercell` holds, per municipality and audience ("all": every observation;
"public": `observation_is_public`), the observations counted in the 64-pixel Web Mercator
cells of zoom 16 (api.views.clusters.KEPT_ZOOM) with the sums of their longitudes and
latitudes in units of 1e-7 degrees (whole numbers, so that adding and taking away a point
leaves no rounding behind). A cluster of any coarser zoom is a whole block of these cells:
its count and mean position are sums of theirs.

`mercator_column` and `mercator_row` are the cell formulas, used by the triggers here and
by every cluster query (api.views.clusters), so that a point falls in the same cell
whichever counts it.

The triggers of 0004 call `heat_cells_apply`; it now applies the changes to the heat and
theme cells as before (`heat_and_theme_cells_apply`) and to the cluster cells
(`cluster_cells_apply`). `heat_cells_rebuild()` counts all three again.
tests/analysis/test_incremental.py holds the kept cells equal to a full rebuild.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION mercator_column(lon float8, cells float8) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor((lon + 180.0) / 360.0 * cells)::integer
$$;

-- 0 at the top; latitude through the Mercator formula.
CREATE FUNCTION mercator_row(lat float8, cells float8) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor((1.0 - ln(tan(radians(lat)) + 1.0 / cos(radians(lat))) / pi()) / 2.0
                 * cells)::integer
$$;

-- A coordinate in whole 1e-7 degrees (about a centimetre).
CREATE FUNCTION degrees_e7(degrees float8) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT round(degrees * 1e7)::bigint
$$;

CREATE TABLE geo_clustercell (
    municipality_id bigint NOT NULL,
    query_key varchar(16) NOT NULL,
    col integer NOT NULL,
    "row" integer NOT NULL,
    n bigint NOT NULL CHECK (n >= 0),
    lon_e7 bigint NOT NULL,
    lat_e7 bigint NOT NULL,
    PRIMARY KEY (municipality_id, query_key, col, "row")
);
-- The cells a change emptied, found without reading the table (as geo_heatcell_emptied).
CREATE INDEX geo_clustercell_emptied ON geo_clustercell (municipality_id) WHERE n = 0;

-- Zoom 16's 64-pixel cells: 2^16 · 256 / 64 a world's width.
CREATE FUNCTION cluster_cells_apply(changes heat_change[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF changes IS NULL OR cardinality(changes) = 0 THEN
        RETURN;
    END IF;
    WITH delta AS (
        SELECT d.municipality_id, k.query_key,
               mercator_column(ST_X(d.geom), 262144) AS col,
               mercator_row(ST_Y(d.geom), 262144) AS "row",
               sum(d.sign)::bigint AS n,
               sum(d.sign * degrees_e7(ST_X(d.geom)))::bigint AS lon_e7,
               sum(d.sign * degrees_e7(ST_Y(d.geom)))::bigint AS lat_e7
        FROM unnest(changes) AS d CROSS JOIN (VALUES ('all'), ('public')) AS k(query_key)
        WHERE k.query_key = 'all' OR d.public
        GROUP BY 1, 2, 3, 4
        -- A point moved within its cell leaves the count and changes the sums.
        HAVING sum(d.sign) <> 0 OR sum(d.sign * degrees_e7(ST_X(d.geom))) <> 0
            OR sum(d.sign * degrees_e7(ST_Y(d.geom))) <> 0
    ), lowered AS (
        UPDATE geo_clustercell AS h
        SET n = h.n + d.n, lon_e7 = h.lon_e7 + d.lon_e7, lat_e7 = h.lat_e7 + d.lat_e7
        FROM delta AS d
        WHERE d.n < 0 AND h.municipality_id = d.municipality_id
          AND h.query_key = d.query_key AND h.col = d.col AND h."row" = d."row"
    )
    INSERT INTO geo_clustercell AS h (municipality_id, query_key, col, "row", n, lon_e7,
                                      lat_e7)
    SELECT * FROM delta AS d WHERE d.n >= 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (municipality_id, query_key, col, "row")
    DO UPDATE SET n = h.n + EXCLUDED.n, lon_e7 = h.lon_e7 + EXCLUDED.lon_e7,
                  lat_e7 = h.lat_e7 + EXCLUDED.lat_e7;

    IF EXISTS (SELECT FROM unnest(changes) AS c WHERE c.sign < 0) THEN
        DELETE FROM geo_clustercell WHERE n = 0;
    END IF;
END
$$;

ALTER FUNCTION heat_cells_apply(heat_change[]) RENAME TO heat_and_theme_cells_apply;

CREATE FUNCTION heat_cells_apply(changes heat_change[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM heat_and_theme_cells_apply(changes);
    PERFORM cluster_cells_apply(changes);
END
$$;

ALTER FUNCTION heat_cells_rebuild() RENAME TO heat_and_theme_cells_rebuild;

CREATE FUNCTION heat_cells_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM geo_clustercell;
    -- Its heat_cells_apply is the one above: all three kinds of cells.
    PERFORM heat_and_theme_cells_rebuild();
END
$$;

CREATE FUNCTION cluster_cells_forget() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM geo_clustercell;
    RETURN NULL;
END
$$;

CREATE TRIGGER cluster_cells_on_truncate AFTER TRUNCATE ON walks_observation
    FOR EACH STATEMENT EXECUTE FUNCTION cluster_cells_forget();

-- The observations there are now, counted in one pass.
INSERT INTO geo_clustercell (municipality_id, query_key, col, "row", n, lon_e7, lat_e7)
SELECT o.municipality_id, k.query_key,
       mercator_column(ST_X(o.geom), 262144), mercator_row(ST_Y(o.geom), 262144),
       count(*), sum(degrees_e7(ST_X(o.geom))), sum(degrees_e7(ST_Y(o.geom)))
FROM walks_observation AS o
JOIN walks_category AS c ON c.id = o.category_id
CROSS JOIN (VALUES ('all'), ('public')) AS k(query_key)
WHERE k.query_key = 'all'
   OR observation_is_public(o.visibility, o.status, o.moderation, c.is_sensitive)
GROUP BY 1, 2, 3, 4;
"""

DROP = """
DROP TRIGGER IF EXISTS cluster_cells_on_truncate ON walks_observation;
DROP FUNCTION IF EXISTS cluster_cells_forget();
DROP FUNCTION IF EXISTS heat_cells_rebuild();
ALTER FUNCTION heat_and_theme_cells_rebuild() RENAME TO heat_cells_rebuild;
DROP FUNCTION IF EXISTS heat_cells_apply(heat_change[]);
ALTER FUNCTION heat_and_theme_cells_apply(heat_change[]) RENAME TO heat_cells_apply;
DROP FUNCTION IF EXISTS cluster_cells_apply(heat_change[]);
DROP TABLE IF EXISTS geo_clustercell;
DROP FUNCTION IF EXISTS degrees_e7(float8);
DROP FUNCTION IF EXISTS mercator_row(float8, float8);
DROP FUNCTION IF EXISTS mercator_column(float8, float8);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0004_heat_cells_kept_on_write"),
        ("walks", "0017_observation_position_statistics"),
    ]
    operations = [migrations.RunSQL(CREATE, DROP)]
