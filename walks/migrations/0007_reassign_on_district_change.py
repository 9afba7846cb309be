# SPDX-License-Identifier: EUPL-1.2
"""PostGIS assigns observations their district again whenever districts change.

Districts belong to geo, which knows nothing of observations; so the reassignment lives
here, as statement-level triggers on geo_district, and every way of changing districts
(the boundary import, the admin, a GIS client editing the table) gets it. Only
observations whose district really changes are written. The number written in the current
transaction is kept in the setting `lyhty.districts_reassigned`, which the boundary import
reads for its summary.

The lookup itself is one function, `observation_district(municipality, point)`, used by
the per-row trigger of 0002 as well: the lower district id wins on a shared boundary.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION observation_district(municipality bigint, point geometry) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT d.id FROM geo_district d
    WHERE d.municipality_id = municipality AND ST_Covers(d.geom, point)
    ORDER BY d.id
    LIMIT 1
$$;

CREATE OR REPLACE FUNCTION observation_assign_district() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.district_id := observation_district(NEW.municipality_id, NEW.geom);
    RETURN NEW;
END
$$;

CREATE FUNCTION districts_changed_reassign() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
    written bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT municipality_id) INTO touched FROM new_districts;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT municipality_id) INTO touched FROM old_districts;
    ELSE
        SELECT array_agg(DISTINCT m) INTO touched FROM (
            SELECT o.municipality_id AS m FROM old_districts o JOIN new_districts n USING (id)
            WHERE o.municipality_id <> n.municipality_id
               OR ST_AsBinary(o.geom) <> ST_AsBinary(n.geom)
            UNION
            SELECT n.municipality_id FROM old_districts o JOIN new_districts n USING (id)
            WHERE o.municipality_id <> n.municipality_id
               OR ST_AsBinary(o.geom) <> ST_AsBinary(n.geom)
        ) changed;
    END IF;
    IF touched IS NULL THEN
        RETURN NULL;
    END IF;
    -- Touching geom runs observation_assign_district for the rows that change.
    UPDATE walks_observation obs SET geom = obs.geom, updated_at = now()
    WHERE obs.municipality_id = ANY (touched)
      AND obs.district_id IS DISTINCT FROM observation_district(obs.municipality_id, obs.geom);
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM set_config(
        'lyhty.districts_reassigned',
        (COALESCE(NULLIF(current_setting('lyhty.districts_reassigned', true), ''), '0')::bigint
         + written)::text,
        true
    );
    RETURN NULL;
END
$$;

CREATE TRIGGER districts_inserted_reassign AFTER INSERT ON geo_district
    REFERENCING NEW TABLE AS new_districts
    FOR EACH STATEMENT EXECUTE FUNCTION districts_changed_reassign();
CREATE TRIGGER districts_updated_reassign AFTER UPDATE ON geo_district
    REFERENCING OLD TABLE AS old_districts NEW TABLE AS new_districts
    FOR EACH STATEMENT EXECUTE FUNCTION districts_changed_reassign();
CREATE TRIGGER districts_deleted_reassign AFTER DELETE ON geo_district
    REFERENCING OLD TABLE AS old_districts
    FOR EACH STATEMENT EXECUTE FUNCTION districts_changed_reassign();
"""

DROP = """
DROP TRIGGER IF EXISTS districts_inserted_reassign ON geo_district;
DROP TRIGGER IF EXISTS districts_updated_reassign ON geo_district;
DROP TRIGGER IF EXISTS districts_deleted_reassign ON geo_district;
DROP FUNCTION IF EXISTS districts_changed_reassign();
CREATE OR REPLACE FUNCTION observation_assign_district() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.district_id := (
        SELECT d.id FROM geo_district d
        WHERE d.municipality_id = NEW.municipality_id AND ST_Covers(d.geom, NEW.geom)
        ORDER BY d.id
        LIMIT 1
    );
    RETURN NEW;
END
$$;
DROP FUNCTION IF EXISTS observation_district(bigint, geometry);
"""


class Migration(migrations.Migration):
    dependencies = [("walks", "0006_duplicate_needs_original")]
    operations = [migrations.RunSQL(CREATE, DROP)]
