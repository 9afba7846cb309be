# SPDX-License-Identifier: EUPL-1.2
"""A key the map page sends with "Create action", so that a repeated request makes no second one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_planner_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="request_key",
            field=models.UUIDField(
                blank=True, editable=False, null=True, unique=True, verbose_name="request key"
            ),
        ),
    ]
