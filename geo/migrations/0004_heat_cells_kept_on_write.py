# SPDX-License-Identifier: EUPL-1.2
"""The heat map's "all" and "public" pre-aggregates, and the plan's cells per theme, kept
current by PostgreSQL on every write instead of rebuilt by the first reader after a change.

Statement-level AFTER triggers on walks_observation (INSERT, UPDATE, DELETE, each with its
transition table) and on walks_category (UPDATE: a category moved to another theme, or
made sensitive or ordinary) turn the rows a statement changed into signed changes (−1 for
a row as it was, +1 as it is) and `heat_cells_apply` adds them to the cells:

- `geo_heatcell`, keys "all" (every observation) and "public" (what anyone reads:
  `observation_is_public`, the SQL twin of ObservationQuerySet.visible_to_public), 50 m
  cells as before (analysis.heatmap reads them and never rebuilds these two keys);
- `geo_themecell`: public observations per theme, source and UTC month, in 250 m cells,
  which the plan page sums for every theme in one statement (analysis.heatmap.theme_cells).

An update that changes none of the columns a cell depends on (location, municipality,
category, source, status, visibility, moderation, severity, observed_at) costs one join of
the transition tables. A cell whose count falls to 0 is deleted. A TRUNCATE of the
observations empties the kept cells. A municipality whose national CRS changes needs
`SELECT heat_cells_rebuild()`. tests/analysis/test_incremental.py holds every kept cell
equal to a full rebuild after random sequences of writes.

Why triggers and not a rebuild in the background: docs/benchmarks.md ("Cold path").
"""

from django.db import migrations

CREATE = """
ALTER TABLE geo_heatcell DROP CONSTRAINT IF EXISTS geo_heatcell_n_check;
ALTER TABLE geo_heatcell ADD CONSTRAINT geo_heatcell_n_check CHECK (n >= 0);
CREATE INDEX geo_heatcell_emptied ON geo_heatcell (municipality_id) WHERE n = 0;

CREATE TABLE geo_themecell (
    municipality_id bigint NOT NULL,
    theme_id bigint NOT NULL,
    source varchar(10) NOT NULL,
    month date NOT NULL,
    i integer NOT NULL,
    j integer NOT NULL,
    n bigint NOT NULL CHECK (n >= 0),
    weight bigint NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (municipality_id, month, theme_id, source, i, j)
);
CREATE INDEX geo_themecell_emptied ON geo_themecell (municipality_id) WHERE n = 0;

-- One observation's part in the cells: +1 as it is now, -1 as it was.
CREATE TYPE heat_change AS (
    municipality_id bigint,
    geom geometry,
    theme_id bigint,
    source varchar(10),
    public boolean,
    observed_at timestamptz,
    weight integer,
    sign integer
);

-- ObservationQuerySet.visible_to_public, in SQL.
CREATE FUNCTION observation_is_public(
    visibility text, status text, moderation text, sensitive boolean
) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT visibility = 'public' AND NOT sensitive
       AND status NOT IN ('rejected', 'duplicate')
       AND moderation NOT IN ('pending', 'rejected')
$$;

CREATE FUNCTION heat_change_of(
    municipality_id bigint, geom geometry, theme_id bigint, source text, visibility text,
    status text, moderation text, sensitive boolean, observed_at timestamptz,
    severity integer, sign integer
) RETURNS heat_change LANGUAGE sql IMMUTABLE AS $$
    -- A missing severity weighs 3 (analysis.heatmap.DEFAULT_WEIGHT).
    SELECT ROW(municipality_id, geom, theme_id, source,
               observation_is_public(visibility, status, moderation, sensitive),
               observed_at, coalesce(severity, 3), sign)::heat_change
$$;

-- Add signed changes to the kept cells. A negative change meets an existing cell (the
-- row it takes away was counted there), so it is an UPDATE, checked n >= 0; the others
-- insert or add, in key order (concurrent writers lock cells in the same order).
CREATE FUNCTION heat_cells_apply(changes heat_change[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF changes IS NULL OR cardinality(changes) = 0 THEN
        RETURN;
    END IF;
    WITH projected AS (
        SELECT c.*, ST_Transform(c.geom, m.national_srid) AS p
        FROM unnest(changes) AS c JOIN geo_municipality AS m ON m.id = c.municipality_id
    ), delta AS (
        SELECT d.municipality_id, k.query_key,
               floor(ST_X(d.p) / 50)::int AS i, floor(ST_Y(d.p) / 50)::int AS j,
               sum(d.sign)::bigint AS n, sum(d.sign * d.weight)::bigint AS weight
        FROM projected AS d CROSS JOIN (VALUES ('all'), ('public')) AS k(query_key)
        WHERE k.query_key = 'all' OR d.public
        GROUP BY 1, 2, 3, 4
        HAVING sum(d.sign) <> 0 OR sum(d.sign * d.weight) <> 0
    ), lowered AS (
        UPDATE geo_heatcell AS h SET n = h.n + d.n, weight = h.weight + d.weight
        FROM delta AS d
        WHERE (d.n < 0 OR d.weight < 0) AND h.municipality_id = d.municipality_id
          AND h.query_key = d.query_key AND h.i = d.i AND h.j = d.j
    )
    INSERT INTO geo_heatcell AS h (municipality_id, query_key, i, j, n, weight)
    SELECT * FROM delta AS d WHERE d.n >= 0 AND d.weight >= 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (municipality_id, query_key, i, j)
    DO UPDATE SET n = h.n + EXCLUDED.n, weight = h.weight + EXCLUDED.weight;

    WITH projected AS (
        SELECT c.*, ST_Transform(c.geom, m.national_srid) AS p
        FROM unnest(changes) AS c JOIN geo_municipality AS m ON m.id = c.municipality_id
        WHERE c.public
    ), delta AS (
        SELECT d.municipality_id, date_trunc('month', d.observed_at AT TIME ZONE 'UTC')::date
               AS month, d.theme_id, d.source,
               floor(ST_X(d.p) / 250)::int AS i, floor(ST_Y(d.p) / 250)::int AS j,
               sum(d.sign)::bigint AS n, sum(d.sign * d.weight)::bigint AS weight
        FROM projected AS d
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(d.sign) <> 0 OR sum(d.sign * d.weight) <> 0
    ), lowered AS (
        UPDATE geo_themecell AS h SET n = h.n + d.n, weight = h.weight + d.weight
        FROM delta AS d
        WHERE (d.n < 0 OR d.weight < 0) AND h.municipality_id = d.municipality_id
          AND h.month = d.month AND h.theme_id = d.theme_id AND h.source = d.source
          AND h.i = d.i AND h.j = d.j
    )
    INSERT INTO geo_themecell AS h (municipality_id, month, theme_id, source, i, j, n, weight)
    SELECT * FROM delta AS d WHERE d.n >= 0 AND d.weight >= 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (municipality_id, month, theme_id, source, i, j)
    DO UPDATE SET n = h.n + EXCLUDED.n, weight = h.weight + EXCLUDED.weight;

    -- Only a change that takes an observation away can empty a cell.
    IF EXISTS (SELECT FROM unnest(changes) AS c WHERE c.sign < 0) THEN
        DELETE FROM geo_heatcell WHERE n = 0;
        DELETE FROM geo_themecell WHERE n = 0;
    END IF;
END
$$;

CREATE FUNCTION heat_cells_on_observations() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changes heat_change[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(heat_change_of(o.municipality_id, o.geom, c.theme_id, o.source,
                   o.visibility, o.status, o.moderation, c.is_sensitive, o.observed_at,
                   o.severity, 1))
        INTO changes
        FROM new_rows AS o JOIN walks_category AS c ON c.id = o.category_id;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(heat_change_of(o.municipality_id, o.geom, c.theme_id, o.source,
                   o.visibility, o.status, o.moderation, c.is_sensitive, o.observed_at,
                   o.severity, -1))
        INTO changes
        FROM old_rows AS o JOIN walks_category AS c ON c.id = o.category_id;
    ELSE
        SELECT array_agg(change) INTO changes FROM (
            SELECT unnest(ARRAY[
                heat_change_of(o.municipality_id, o.geom, oc.theme_id, o.source,
                    o.visibility, o.status, o.moderation, oc.is_sensitive, o.observed_at,
                    o.severity, -1),
                heat_change_of(n.municipality_id, n.geom, nc.theme_id, n.source,
                    n.visibility, n.status, n.moderation, nc.is_sensitive, n.observed_at,
                    n.severity, 1)
            ]) AS change
            FROM old_rows AS o
            JOIN new_rows AS n ON n.id = o.id
            JOIN walks_category AS oc ON oc.id = o.category_id
            JOIN walks_category AS nc ON nc.id = n.category_id
            WHERE (o.municipality_id, o.category_id, o.source, o.visibility, o.status,
                   o.moderation, o.severity, o.observed_at)
                  IS DISTINCT FROM
                  (n.municipality_id, n.category_id, n.source, n.visibility, n.status,
                   n.moderation, n.severity, n.observed_at)
               OR NOT ST_Equals(o.geom, n.geom)
        ) AS changed;
    END IF;
    PERFORM heat_cells_apply(changes);
    RETURN NULL;
END
$$;

-- A category moved to another theme, or made sensitive or ordinary: its observations
-- leave the cells as they were counted and come back as they count now.
CREATE FUNCTION heat_cells_on_categories() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changes heat_change[];
BEGIN
    SELECT array_agg(change) INTO changes FROM (
        SELECT unnest(ARRAY[
            heat_change_of(o.municipality_id, o.geom, oc.theme_id, o.source, o.visibility,
                o.status, o.moderation, oc.is_sensitive, o.observed_at, o.severity, -1),
            heat_change_of(o.municipality_id, o.geom, nc.theme_id, o.source, o.visibility,
                o.status, o.moderation, nc.is_sensitive, o.observed_at, o.severity, 1)
        ]) AS change
        FROM old_rows AS oc
        JOIN new_rows AS nc ON nc.id = oc.id
        JOIN walks_observation AS o ON o.category_id = nc.id
        WHERE (oc.theme_id, oc.is_sensitive) IS DISTINCT FROM (nc.theme_id, nc.is_sensitive)
    ) AS changed;
    PERFORM heat_cells_apply(changes);
    RETURN NULL;
END
$$;

CREATE FUNCTION heat_cells_forget() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM geo_heatcell WHERE query_key IN ('all', 'public');
    DELETE FROM geo_themecell;
    RETURN NULL;
END
$$;

-- Every kept cell counted again from the observations, 100,000 at a time.
CREATE FUNCTION heat_cells_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    low bigint;
BEGIN
    DELETE FROM geo_heatcell WHERE query_key IN ('all', 'public');
    DELETE FROM geo_heatcell_stamp WHERE query_key IN ('all', 'public');
    DELETE FROM geo_themecell;
    FOR low IN SELECT generate_series(0, coalesce(max(id), 0), 100000) FROM walks_observation
    LOOP
        PERFORM heat_cells_apply(ARRAY(
            SELECT heat_change_of(o.municipality_id, o.geom, c.theme_id, o.source,
                o.visibility, o.status, o.moderation, c.is_sensitive, o.observed_at,
                o.severity, 1)
            FROM walks_observation AS o JOIN walks_category AS c ON c.id = o.category_id
            WHERE o.id >= low AND o.id < low + 100000
        ));
    END LOOP;
END
$$;

CREATE TRIGGER heat_cells_on_insert AFTER INSERT ON walks_observation
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION heat_cells_on_observations();
CREATE TRIGGER heat_cells_on_update AFTER UPDATE ON walks_observation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION heat_cells_on_observations();
CREATE TRIGGER heat_cells_on_delete AFTER DELETE ON walks_observation
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION heat_cells_on_observations();
CREATE TRIGGER heat_cells_on_truncate AFTER TRUNCATE ON walks_observation
    FOR EACH STATEMENT EXECUTE FUNCTION heat_cells_forget();
CREATE TRIGGER heat_cells_on_categories AFTER UPDATE ON walks_category
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION heat_cells_on_categories();

SELECT heat_cells_rebuild();
"""

DROP = """
DROP TRIGGER IF EXISTS heat_cells_on_categories ON walks_category;
DROP TRIGGER IF EXISTS heat_cells_on_truncate ON walks_observation;
DROP TRIGGER IF EXISTS heat_cells_on_delete ON walks_observation;
DROP TRIGGER IF EXISTS heat_cells_on_update ON walks_observation;
DROP TRIGGER IF EXISTS heat_cells_on_insert ON walks_observation;
DROP FUNCTION IF EXISTS heat_cells_rebuild();
DROP FUNCTION IF EXISTS heat_cells_forget();
DROP FUNCTION IF EXISTS heat_cells_on_categories();
DROP FUNCTION IF EXISTS heat_cells_on_observations();
DROP FUNCTION IF EXISTS heat_cells_apply(heat_change[]);
DROP FUNCTION IF EXISTS heat_change_of(bigint, geometry, bigint, text, text, text, text,
    boolean, timestamptz, integer, integer);
DROP FUNCTION IF EXISTS observation_is_public(text, text, text, boolean);
DROP TYPE IF EXISTS heat_change;
DROP TABLE IF EXISTS geo_themecell;
DROP INDEX IF EXISTS geo_heatcell_emptied;
DELETE FROM geo_heatcell WHERE query_key IN ('all', 'public');
DELETE FROM geo_heatcell_stamp WHERE query_key IN ('all', 'public');
ALTER TABLE geo_heatcell DROP CONSTRAINT IF EXISTS geo_heatcell_n_check;
ALTER TABLE geo_heatcell ADD CONSTRAINT geo_heatcell_n_check CHECK (n > 0);
"""


class Migration(migrations.Migration):
    dependencies = [("geo", "0003_address"), ("walks", "0014_merge_resident_reports")]
    operations = [migrations.RunSQL(CREATE, DROP)]
