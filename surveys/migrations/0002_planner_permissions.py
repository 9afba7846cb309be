# SPDX-License-Identifier: EUPL-1.2
"""Planners write surveys in the admin and read the answers; staff read surveys."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITED = ["survey", "question", "option"]
READ = ["response"]


def forwards(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("surveys")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(models, actions):
        return Permission.objects.filter(
            content_type__app_label="surveys",
            codename__in=[f"{action}_{model}" for model in models for action in actions],
        )

    planners, _ = Group.objects.get_or_create(name="planners")
    planners.permissions.add(*perms(EDITED, ["view", "add", "change", "delete"]))
    planners.permissions.add(*perms(READ, ["view"]))
    staff, _ = Group.objects.get_or_create(name="department staff")
    staff.permissions.add(*perms(EDITED, ["view"]))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    survey_perms = Permission.objects.filter(content_type__app_label="surveys")
    for group in Group.objects.filter(name__in=["planners", "department staff"]):
        group.permissions.remove(*survey_perms)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("walks", "0003_seed_taxonomy_and_roles"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
