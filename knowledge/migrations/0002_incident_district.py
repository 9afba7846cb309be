# SPDX-License-Identifier: EUPL-1.2
"""PostGIS gives each incident its district, with the rule observations follow.

The lookup is walks' `observation_district(municipality, point)` (walks migration 0007):
the district that covers the point, the lower id on a shared boundary, none outside every
district. It runs on every write of an incident and, from statement-level triggers on
geo_district, for the incidents whose district changes when districts change.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION incident_assign_district() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.district_id := observation_district(NEW.municipality_id, NEW.geom);
    RETURN NEW;
END
$$;
CREATE TRIGGER incident_assign_district
    BEFORE INSERT OR UPDATE OF geom, municipality_id, district_id ON knowledge_incident
    FOR EACH ROW EXECUTE FUNCTION incident_assign_district();

CREATE FUNCTION districts_changed_reassign_incidents() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT municipality_id) INTO touched FROM new_districts;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT municipality_id) INTO touched FROM old_districts;
    ELSE
        SELECT array_agg(DISTINCT m) INTO touched FROM (
            SELECT o.municipality_id AS m FROM old_districts o
            UNION SELECT n.municipality_id FROM new_districts n
        ) changed;
    END IF;
    IF touched IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE knowledge_incident i SET geom = i.geom
    WHERE i.municipality_id = ANY (touched)
      AND i.district_id IS DISTINCT FROM observation_district(i.municipality_id, i.geom);
    RETURN NULL;
END
$$;
CREATE TRIGGER districts_inserted_reassign_incidents AFTER INSERT ON geo_district
    REFERENCING NEW TABLE AS new_districts
    FOR EACH STATEMENT EXECUTE FUNCTION districts_changed_reassign_incidents();
CREATE TRIGGER districts_updated_reassign_incidents AFTER UPDATE ON geo_district
    REFERENCING OLD TABLE AS old_districts NEW TABLE AS new_districts
    FOR EACH STATEMENT EXECUTE FUNCTION districts_changed_reassign_incidents();
CREATE TRIGGER districts_deleted_reassign_incidents AFTER DELETE ON geo_district
    REFERENCING OLD TABLE AS old_districts
    FOR EACH STATEMENT EXECUTE FUNCTION districts_changed_reassign_incidents();
"""

DROP = """
DROP TRIGGER IF EXISTS districts_inserted_reassign_incidents ON geo_district;
DROP TRIGGER IF EXISTS districts_updated_reassign_incidents ON geo_district;
DROP TRIGGER IF EXISTS districts_deleted_reassign_incidents ON geo_district;
DROP FUNCTION IF EXISTS districts_changed_reassign_incidents();
DROP TRIGGER IF EXISTS incident_assign_district ON knowledge_incident;
DROP FUNCTION IF EXISTS incident_assign_district();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("walks", "0007_reassign_on_district_change"),
    ]
    operations = [migrations.RunSQL(CREATE, DROP)]
