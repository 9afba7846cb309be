# SPDX-License-Identifier: EUPL-1.2
"""Seed the category taxonomy and the role groups with their admin permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from walks.taxonomy import seed

PLANNER_MODELS = {
    "geo": ["municipality", "district"],
    "walks": ["safetywalk", "observation", "statuschange", "category", "theme"],
}
STAFF_CHANGE = {"walks": ["observation", "statuschange"]}
STAFF_VIEW = {"geo": ["municipality", "district"],
              "walks": ["safetywalk", "category", "theme", "responsibleunit"]}


def forwards(apps, schema_editor):
    seed(apps.get_model("walks", "Theme"), apps.get_model("walks", "Category"),
         apps.get_model("walks", "ResponsibleUnit"))

    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(spec, actions):
        return [
            Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
            for app, models in spec.items() for model in models for action in actions
        ]

    planners, _ = Group.objects.get_or_create(name="planners")
    planners.permissions.add(*perms(PLANNER_MODELS, ["view", "add", "change"]))
    staff, _ = Group.objects.get_or_create(name="department staff")
    staff.permissions.add(*perms(STAFF_CHANGE, ["view", "change"]), *perms(STAFF_VIEW, ["view"]))


class Migration(migrations.Migration):
    dependencies = [
        ("walks", "0002_observation_assign_district"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
