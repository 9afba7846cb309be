# SPDX-License-Identifier: EUPL-1.2
"""The heat map's pre-aggregates: observations counted in 50 m cells of the national grid.

`geo_heatcell` holds, per municipality and QuerySet (`query_key`: "all" for what staff
read, "public" for what anyone reads, "q…" a digest of a filtered QuerySet's SQL; see
analysis.heatmap.query_key), the count and summed severity of the observations in each 50 m cell
(i, j) = (floor(x / 50), floor(y / 50)) of the municipality's national CRS. Every cell size
the heat map offers is a multiple of 50 m, so any view sums these rows without touching
the observations. `geo_heatcell_stamp` records which state of the observation table
(analysis.heatmap.observations_stamp) each was built from; analysis.heatmap rebuilds one when the
stamp has moved on, and drops outdated filtered ones.

Plain tables written by analysis.heatmap, not models: nothing else reads or edits them. No
foreign key to geo_municipality, so that Django's test flush (TRUNCATE of its own tables)
keeps working; rows of a deleted municipality are never read (its id is not reused).

The same migration makes the table of the default cache when CACHE_URL names one (the
default, db://lyhty_cache), so that `migrate` alone gives a working cache; `make run` and
`make serve` also run `createcachetable`, which does nothing when it exists.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


CREATE = """
CREATE TABLE geo_heatcell (
    municipality_id bigint NOT NULL,
    query_key varchar(40) NOT NULL CHECK (query_key ~ '^(all|public|q[0-9a-f]{32})$'),
    i integer NOT NULL,
    j integer NOT NULL,
    n bigint NOT NULL CHECK (n > 0),
    weight bigint NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (municipality_id, query_key, i, j)
);
CREATE TABLE geo_heatcell_stamp (
    municipality_id bigint NOT NULL,
    query_key varchar(40) NOT NULL CHECK (query_key ~ '^(all|public|q[0-9a-f]{32})$'),
    stamp text NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality_id, query_key)
);
"""

DROP = """
DROP TABLE IF EXISTS geo_heatcell_stamp;
DROP TABLE IF EXISTS geo_heatcell;
"""


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
