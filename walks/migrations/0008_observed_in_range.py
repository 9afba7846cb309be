# SPDX-License-Identifier: EUPL-1.2
"""An observation's time lies from 2000-01-01 to a day from now, in the database.

A phone could send any device time, and one participant's `observed_at` of the year 9999
(year 10000 in UTC) broke every page, export and admin list that showed it: Python's
datetime ends at year 9999. The API now refuses such times; this constraint
(`observation_observed_in_range`) refuses them whatever writes.

Rows already out of range are clamped, not refused and not deleted: the place, category
and notes are what matter and nothing a participant logged may be lost, while the device
time is evidently a broken clock. Each gets the time the server received it
(`created_at`), the best time known for it, kept within the range itself; `updated_at`
moves so syncing clients see the change. The number clamped is printed. The clamp cannot
be undone; migrating backwards only drops the constraint.
"""

import datetime

import django.db.models.expressions
import django.db.models.functions.datetime
from django.db import migrations, models

CLAMP = """
UPDATE walks_observation
SET observed_at = LEAST(GREATEST(created_at, %(earliest)s), now()), updated_at = now()
WHERE observed_at < %(earliest)s OR observed_at > now() + interval '1 day'
"""


def clamp_out_of_range(apps, schema_editor):
    earliest = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CLAMP, {"earliest": earliest})
        if cursor.rowcount:
            print(
                f"\n  walks 0008: {cursor.rowcount} observation(s) had a time before 2000 or "
                "more than a day ahead; their observed_at is now the time the server "
                "received them (created_at)."
            )


class Migration(migrations.Migration):
    dependencies = [
        ("walks", "0007_reassign_on_district_change"),
    ]

    operations = [
        migrations.RunPython(clamp_out_of_range, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("observed_at__gte", datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    (
                        "observed_at__lte",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.functions.datetime.Now(),
                            "+",
                            models.Value(datetime.timedelta(days=1)),
                        ),
                    ),
                ),
                name="observation_observed_in_range",
                violation_error_message=(
                    "The observation time must be from 2000 onwards and at most a day from now."
                ),
            ),
        ),
    ]
