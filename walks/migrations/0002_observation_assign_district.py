# SPDX-License-Identifier: EUPL-1.2
"""PostGIS assigns each observation its district, on every write path.

A BEFORE trigger rather than application code, so that bulk inserts, COPY loads, the
admin and GIS clients editing the table directly all get the same answer. A point on
the boundary between two districts is covered by both; the lower district id wins so it
gets exactly one. A point outside every district of its municipality gets none.
To re-run the assignment (after districts change), touch geom:
`UPDATE walks_observation SET geom = geom WHERE municipality_id = …`.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION observation_assign_district() RETURNS trigger
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
CREATE TRIGGER observation_assign_district
    BEFORE INSERT OR UPDATE OF geom, municipality_id ON walks_observation
    FOR EACH ROW EXECUTE FUNCTION observation_assign_district();
"""

DROP = """
DROP TRIGGER IF EXISTS observation_assign_district ON walks_observation;
DROP FUNCTION IF EXISTS observation_assign_district();
"""


class Migration(migrations.Migration):
    dependencies = [("walks", "0001_initial"), ("geo", "0001_initial")]
    operations = [migrations.RunSQL(CREATE, DROP)]
