# SPDX-License-Identifier: EUPL-1.2
"""PostGIS gives each observation its nearest address, on every write path, like the district.

`observation_address(municipality, point)` is the nearest address point of the
observation's municipality within `lyhty.address_max_distance_m` metres (the setting
ADDRESS_MAX_DISTANCE_M, passed on each of Lyhty's connections; 150 for any other client),
measured in the municipality's national CRS, the lower id on a tie; NULL when none is that
close. The candidates come from the GiST index on geo_address.geom through a longitude/
latitude box a little larger than the circle (a degree of longitude is half as long at
60°N as a degree of latitude, so ordering by `<->` in degrees would rank east-west
neighbours wrongly); only they are measured.

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
LANGUAGE sql STABLE AS $$
    WITH limits AS (
        SELECT m.national_srid AS srid,
               COALESCE(NULLIF(current_setting('lyhty.address_max_distance_m', true), ''),
                        '150')::float8 AS metres
        FROM geo_municipality m WHERE m.id = municipality
    )
    SELECT a.id
    FROM geo_address a, limits
    WHERE a.municipality_id = municipality
      -- 1° of latitude is at least 110.5 km; of longitude, 111.3 km × cos(latitude).
      AND a.geom && ST_Expand(
              point,
              limits.metres / (110000 * greatest(cos(radians(ST_Y(point))), 0.01)),
              limits.metres / 110000)
      AND ST_DWithin(ST_Transform(a.geom, limits.srid), ST_Transform(point, limits.srid),
                     limits.metres)
    ORDER BY ST_Distance(ST_Transform(a.geom, limits.srid), ST_Transform(point, limits.srid)),
             a.id
    LIMIT 1
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
        ("walks", "0007_reassign_on_district_change"),
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
