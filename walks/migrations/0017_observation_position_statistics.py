# SPDX-License-Identifier: EUPL-1.2
"""Statistics on the points' longitude and latitude, for the bbox filter's exact cut.

ObservationQuerySet.in_bbox tests ST_X(geom) and ST_Y(geom) against the bbox after `&&`.
Without statistics on those expressions PostgreSQL guesses that such a range keeps a
fraction of a percent of the rows, and for a whole-town view it then built every row's
Feature before sorting for the first page (1.3 s over a million observations, against
0.25 s with these statistics).
"""

from django.db import migrations

STATISTICS = {
    "walks_observation_longitude": "ST_X(geom)",
    "walks_observation_latitude": "ST_Y(geom)",
}


class Migration(migrations.Migration):
    dependencies = [("walks", "0016_observation_newest_first_index")]

    operations = [
        migrations.RunSQL(
            [
                f"CREATE STATISTICS IF NOT EXISTS {name} ON ({expression}) FROM walks_observation"
                for name, expression in STATISTICS.items()
            ]
            + ["ANALYZE walks_observation"],
            [f"DROP STATISTICS IF EXISTS {name}" for name in STATISTICS],
        )
    ]
