# SPDX-License-Identifier: EUPL-1.2
"""A duplicate names its original, in the database; sensitive categories' help text.

The rule (`observation_duplicate_names_original`): `duplicate_of` is set if and only if the
status is `duplicate`. "Only if" holds because the one way out of `duplicate` is back to
`new` (ALLOWED_TRANSITIONS), and that move has always cleared the link in the API.

Rows that break the rule are repaired first, in two set-based statements (the 1,000,000-row
benchmark database takes a scan each, not a row-by-row loop):

- A duplicate without an original (mostly left behind when its original was deleted, which
  used to set the link to NULL) goes back to `new`, with a line in its history. Not
  `confirmed`: nobody has checked it, and a planner would read that as verified. Not
  `rejected`: the original report is gone, so this one may be the only record of a real
  problem left, and rejecting it would hide it from the public and from triage. `new` puts it
  where a municipality expects an unexamined report: in the triage queue, and it is the one
  move the workflow allows out of `duplicate`. `updated_at` moves, so syncing clients see it.
- Any other status with a leftover link keeps its status (the staff's latest decision) and
  loses the stale link, as leaving `duplicate` does in the API. No history line: the status
  does not change.

Deleting an original is now refused (RESTRICT) unless its duplicates are deleted with it;
the API's delete sends them back to `new` first (Observation.reopen_duplicates).

The repair cannot be undone; migrating backwards keeps the repaired rows as they are.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


REOPEN_NOTE = "Back to new by migration walks 0006: a duplicate whose original was gone."

REPAIR = f"""
INSERT INTO walks_statuschange
    (observation_id, from_status, to_status, from_unit_id, to_unit_id, note, changed_by_id,
     changed_at)
SELECT id, 'duplicate', 'new', responsible_unit_id, responsible_unit_id, '{REOPEN_NOTE}', NULL,
       now()
FROM walks_observation
WHERE status = 'duplicate' AND duplicate_of_id IS NULL;

UPDATE walks_observation SET status = 'new', updated_at = now()
WHERE status = 'duplicate' AND duplicate_of_id IS NULL;

UPDATE walks_observation SET duplicate_of_id = NULL, updated_at = now()
WHERE status <> 'duplicate' AND duplicate_of_id IS NOT NULL;

-- Run the deferred foreign-key checks now: ALTER TABLE refuses a table with pending ones.
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0002_heat_cells'),
        ('walks', '0005_participant_track'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(REPAIR, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='category',
            name='is_sensitive',
            field=models.BooleanField(default=False, help_text='Observations in this category are never shown to the public, whatever their visibility.', verbose_name='sensitive'),
        ),
        migrations.AlterField(
            model_name='observation',
            name='duplicate_of',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='duplicates', to='walks.observation', verbose_name='duplicate of'),
        ),
        migrations.AddConstraint(
            model_name='observation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('duplicate_of__isnull', False), ('status', 'duplicate')), models.Q(models.Q(('status', 'duplicate'), _negated=True), ('duplicate_of__isnull', True)), _connector='OR'), name='observation_duplicate_names_original', violation_error_message='A duplicate names its original, and only a duplicate names one.'),
        ),
        migrations.AlterConstraint(
            model_name='observation',
            name='observation_not_duplicate_of_itself',
            constraint=models.CheckConstraint(condition=models.Q(('duplicate_of', models.F('id')), _negated=True), name='observation_not_duplicate_of_itself', violation_error_message='An observation cannot duplicate itself.'),
        ),
    ]
