# SPDX-License-Identifier: EUPL-1.2
"""PostGIS gives each observation its nearest address, on every write path, like the district.

`observation_address(municipality, point)` is the nearest address point of the
observation's municipality within `lyhty.address_max_distance_m` metres (the setting
ADDRESS_MAX_DISTANCE_M, passed on each of Lyhty's connections; 150 for any other client),
the lower id on a tie; NULL when none is that close. Distances are metres on the ground:
longitude and latitude differences times the GRS80 ellipsoid's radii at the point (right
to a few millimetres at 150 m), so also in the order the national CRSs, being conformal,
give. No ST_Transform: run once per row in a trigger it costs about 0.1 ms, PROJ being
set up again on every call (the first version, transforming the candidates, was 4-5 times
slower). The lookup uses the GiST index on geo_address.geom
twice: KNN (`<->`) for the nearest in degrees, whose ground distance bounds the box in
which the nearest on the ground must lie.

- A BEFORE trigger sets it on every INSERT and on every UPDATE of geom or municipality (so
  also when 0007 re-runs districts by touching geom).
- Statement-level triggers on geo_address, as 0007's on geo_district, give observations
  their address again when addresses change: after an INSERT or UPDATE every observation
  of the municipalities concerned, after a DELETE those that had a deleted address (hence
  Observation.address is DO_NOTHING in Django: the foreign key is checked at commit, when
  this trigger has already moved them on). Only rows whose address changes are written; the
  count in this transaction is kept in `lyhty.addresses_reassigned` for the importer.
"""

from django.db import migrations, models

CREATE = """
CREATE FUNCTION observation_address(municipality bigint, point geometry) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    metres float8 := COALESCE(
        NULLIF(current_setting('lyhty.address_max_distance_m', true), ''), '150')::float8;
    x0 float8 := ST_X(point);
    y0 float8 := ST_Y(point);
    -- Metres per degree of longitude and of latitude here, on the GRS80 ellipsoid
    -- (a = 6378137 m, e² = 0.00669438002290): the radii N cos φ and M.
    w float8 := sqrt(1 - 0.00669438002290 * sin(radians(y0)) ^ 2);
    per_x float8 := radians(1) * 6378137 * cos(radians(y0)) / w;
    per_y float8 := radians(1) * 6378137 * (1 - 0.00669438002290) / w ^ 3;
    nearest bigint;
    reach float8;
BEGIN
    -- 1. The nearest in degrees, by the GiST index (KNN), within the distance box.
    SELECT a.id, sqrt(((ST_X(a.geom) - x0) * per_x) ^ 2 + ((ST_Y(a.geom) - y0) * per_y) ^ 2)
    INTO nearest, reach
    FROM geo_address a
    WHERE a.municipality_id = municipality
      AND a.geom && ST_Expand(point, metres / per_x, metres / per_y)
    ORDER BY a.geom <-> point
    LIMIT 1;
    IF nearest IS NULL THEN
        RETURN NULL;
    END IF;
    -- 2. Degrees are not metres (at 60° N a degree of longitude is half a degree of
    -- latitude), but no address nearer on the ground than that one lies outside a box of
    -- its distance: the nearest in it, within the limit, the lower id on a tie.
    reach := least(reach * (1 + 1e-9) + 1e-6, metres);
    SELECT a.id INTO nearest
    FROM geo_address a
    WHERE a.municipality_id = municipality
      AND a.geom && ST_Expand(point, reach / per_x, reach / per_y)
      AND ((ST_X(a.geom) - x0) * per_x) ^ 2 + ((ST_Y(a.geom) - y0) * per_y) ^ 2 <= metres ^ 2
    ORDER BY ((ST_X(a.geom) - x0) * per_x) ^ 2 + ((ST_Y(a.geom) - y0) * per_y) ^ 2, a.id
    LIMIT 1;
    RETURN nearest;
END
$$;

CREATE FUNCTION observation_assign_address() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.address_id := observation_address(NEW.municipality_id, NEW.geom);
    RETURN NEW;
END
$$;
CREATE TRIGGER observation_assign_address
    BEFORE INSERT OR UPDATE OF geom, municipality_id ON walks_observation
    FOR EACH ROW EXECUTE FUNCTION observation_assign_address();

CREATE FUNCTION addresses_changed_reassign() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
    written bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE walks_observation obs
        SET address_id = observation_address(obs.municipality_id, obs.geom), updated_at = now()
        WHERE obs.address_id IN (SELECT id FROM old_addresses);
    ELSE
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(DISTINCT municipality_id) INTO touched FROM new_addresses;
        ELSE
            SELECT array_agg(DISTINCT m) INTO touched FROM (
                SELECT municipality_id AS m FROM old_addresses
                UNION SELECT municipality_id FROM new_addresses
            ) changed;
        END IF;
        IF touched IS NULL THEN
            RETURN NULL;
        END IF;
        UPDATE walks_observation obs SET address_id = nearest.id, updated_at = now()
        FROM (
            SELECT o.id AS observation, observation_address(o.municipality_id, o.geom) AS id
            FROM walks_observation o WHERE o.municipality_id = ANY (touched)
        ) nearest
        WHERE obs.id = nearest.observation AND obs.address_id IS DISTINCT FROM nearest.id;
    END IF;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM set_config(
        'lyhty.addresses_reassigned',
        (COALESCE(NULLIF(current_setting('lyhty.addresses_reassigned', true), ''), '0')::bigint
         + written)::text,
        true
    );
    RETURN NULL;
END
$$;

CREATE TRIGGER addresses_inserted_reassign AFTER INSERT ON geo_address
    REFERENCING NEW TABLE AS new_addresses
    FOR EACH STATEMENT EXECUTE FUNCTION addresses_changed_reassign();
CREATE TRIGGER addresses_updated_reassign AFTER UPDATE ON geo_address
    REFERENCING OLD TABLE AS old_addresses NEW TABLE AS new_addresses
    FOR EACH STATEMENT EXECUTE FUNCTION addresses_changed_reassign();
CREATE TRIGGER addresses_deleted_reassign AFTER DELETE ON geo_address
    REFERENCING OLD TABLE AS old_addresses
    FOR EACH STATEMENT EXECUTE FUNCTION addresses_changed_reassign();
"""

DROP = """
DROP TRIGGER IF EXISTS addresses_inserted_reassign ON geo_address;
DROP TRIGGER IF EXISTS addresses_updated_reassign ON geo_address;
DROP TRIGGER IF EXISTS addresses_deleted_reassign ON geo_address;
DROP FUNCTION IF EXISTS addresses_changed_reassign();
DROP TRIGGER IF EXISTS observation_assign_address ON walks_observation;
DROP FUNCTION IF EXISTS observation_assign_address();
DROP FUNCTION IF EXISTS observation_address(bigint, geometry);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0003_address"),
        ("walks", "0008_observed_in_range"),
    ]

    operations = [
        migrations.AddField(
            model_name="observation",
            name="address",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=models.DO_NOTHING,
                related_name="+",
                to="geo.address",
                verbose_name="address",
            ),
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
