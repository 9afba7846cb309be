# SPDX-License-Identifier: EUPL-1.2
"""Planners write the safety plan in the admin: plans, priorities, actions and promises.

Without these the planners group (walks 0003) could not open the plan it is responsible
for. Department staff read the plans, to see the actions their units own.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PLAN_MODELS = ["safetyplan", "priority", "action", "citizenpromise"]


def forwards(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("plans")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(actions):
        return Permission.objects.filter(
            content_type__app_label="plans",
            codename__in=[f"{action}_{model}" for model in PLAN_MODELS for action in actions],
        )

    planners, _ = Group.objects.get_or_create(name="planners")
    planners.permissions.add(*perms(["view", "add", "change", "delete"]))
    staff, _ = Group.objects.get_or_create(name="department staff")
    staff.permissions.add(*perms(["view"]))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    plan_perms = Permission.objects.filter(content_type__app_label="plans")
    for group in Group.objects.filter(name__in=["planners", "department staff"]):
        group.permissions.remove(*plan_perms)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("walks", "0003_seed_taxonomy_and_roles"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
