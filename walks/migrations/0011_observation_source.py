# SPDX-License-Identifier: EUPL-1.2
"""Observation.source: who brought the observation in (walk, resident, staff, survey, import).

Rows already stored get the source that fits what is known of them: a walk's observations
come from the walk; one without a walk that a signed-in user logged (the API's staff write)
from staff; the rest (loads, generated data) from an import. A database default (staff)
keeps hand-written INSERTs that do not name the column valid.
"""

from django.db import migrations, models

FILL = """
UPDATE walks_observation
SET source = CASE
    WHEN walk_id IS NOT NULL THEN 'walk'
    WHEN reporter_id IS NOT NULL THEN 'staff'
    ELSE 'import'
END
"""


class Migration(migrations.Migration):
    dependencies = [
        ("walks", "0010_user_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="observation",
            name="source",
            field=models.CharField(
                choices=[
                    ("walk", "safety walk"),
                    ("resident", "resident report"),
                    ("staff", "staff"),
                    ("survey", "survey"),
                    ("import", "import"),
                ],
                db_default="staff",
                default="staff",
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=models.Q(("source__in", ["walk", "resident", "staff", "survey", "import"])),
                name="observation_source_known",
            ),
        ),
    ]
