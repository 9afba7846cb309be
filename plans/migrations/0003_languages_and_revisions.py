# SPDX-License-Identifier: EUPL-1.2
"""Plan texts in fi, sv and en (the existing texts become the Finnish ones), and published
revisions: every plan published so far gets its first revision, its content as it is now
(plans.published)."""

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def first_revisions(apps, schema_editor):
    """What the public has read so far is what it reads after this migration."""
    from django.core import serializers
    from django.db.models import Count, Max

    SafetyPlan = apps.get_model("plans", "SafetyPlan")
    PlanRevision = apps.get_model("plans", "PlanRevision")
    for plan in SafetyPlan.objects.filter(state="published"):
        rows = [
            plan,
            *plan.priorities.order_by("pk"),
            *plan.actions.prefetch_related("observations", "walks").order_by("pk"),
            *plan.promises.prefetch_related("priorities").order_by("pk"),
        ]
        # SafetyPlan.change_stamp, which historical models do not have.
        parts = [plan.updated_at.isoformat()]
        for related in (plan.priorities, plan.actions, plan.promises):
            aggregate = related.aggregate(last=Max("updated_at"), n=Count("pk"))
            parts.append(f"{aggregate['last']}/{aggregate['n']}")
        PlanRevision.objects.create(
            plan=plan,
            published_at=plan.published_at,
            content=serializers.serialize("python", rows),
            stamp="|".join(parts),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0003_address"),
        ("plans", "0002_planner_permissions"),
        ("walks", "0010_user_profile"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The texts keep their values as Finnish; one language of each is required below.
        migrations.CreateModel(
            name="PlanRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="published"
                    ),
                ),
                (
                    "content",
                    models.JSONField(
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="content",
                    ),
                ),
                ("stamp", models.TextField(verbose_name="change stamp")),
            ],
            options={
                "verbose_name": "published revision",
                "verbose_name_plural": "published revisions",
                "ordering": ["plan", "-published_at", "-pk"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="action",
            name="action_has_title",
        ),
        migrations.RemoveConstraint(
            model_name="action",
            name="action_values_need_indicator",
        ),
        migrations.RemoveConstraint(
            model_name="citizenpromise",
            name="promise_has_text",
        ),
        migrations.RemoveConstraint(
            model_name="priority",
            name="priority_has_reason",
        ),
        migrations.AddField(
            model_name="action",
            name="description_en",
            field=models.TextField(blank=True, verbose_name="description in English"),
        ),
        migrations.RenameField(
            model_name="action",
            old_name="description",
            new_name="description_fi",
        ),
        migrations.AlterField(
            model_name="action",
            name="description_fi",
            field=models.TextField(blank=True, verbose_name="description in Finnish"),
        ),
        migrations.AddField(
            model_name="action",
            name="description_sv",
            field=models.TextField(blank=True, verbose_name="description in Swedish"),
        ),
        migrations.AddField(
            model_name="action",
            name="indicator_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="indicator in English"),
        ),
        migrations.RenameField(
            model_name="action",
            old_name="indicator",
            new_name="indicator_fi",
        ),
        migrations.AlterField(
            model_name="action",
            name="indicator_fi",
            field=models.CharField(blank=True, max_length=200, verbose_name="indicator in Finnish"),
        ),
        migrations.AddField(
            model_name="action",
            name="indicator_sv",
            field=models.CharField(blank=True, max_length=200, verbose_name="indicator in Swedish"),
        ),
        migrations.AddField(
            model_name="action",
            name="title_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in English"),
        ),
        migrations.RenameField(
            model_name="action",
            old_name="title",
            new_name="title_fi",
        ),
        migrations.AlterField(
            model_name="action",
            name="title_fi",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in Finnish"),
        ),
        migrations.AddField(
            model_name="action",
            name="title_sv",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in Swedish"),
        ),
        migrations.AddField(
            model_name="citizenpromise",
            name="text_en",
            field=models.TextField(blank=True, verbose_name="text in English"),
        ),
        migrations.RenameField(
            model_name="citizenpromise",
            old_name="text",
            new_name="text_fi",
        ),
        migrations.AlterField(
            model_name="citizenpromise",
            name="text_fi",
            field=models.TextField(blank=True, verbose_name="text in Finnish"),
        ),
        migrations.AddField(
            model_name="citizenpromise",
            name="text_sv",
            field=models.TextField(blank=True, verbose_name="text in Swedish"),
        ),
        migrations.AddField(
            model_name="citizenpromise",
            name="title_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in English"),
        ),
        migrations.RenameField(
            model_name="citizenpromise",
            old_name="title",
            new_name="title_fi",
        ),
        migrations.AlterField(
            model_name="citizenpromise",
            name="title_fi",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in Finnish"),
        ),
        migrations.AddField(
            model_name="citizenpromise",
            name="title_sv",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in Swedish"),
        ),
        migrations.AddField(
            model_name="priority",
            name="reason_en",
            field=models.TextField(blank=True, verbose_name="reason in English"),
        ),
        migrations.RenameField(
            model_name="priority",
            old_name="reason",
            new_name="reason_fi",
        ),
        migrations.AlterField(
            model_name="priority",
            name="reason_fi",
            field=models.TextField(blank=True, verbose_name="reason in Finnish"),
        ),
        migrations.AddField(
            model_name="priority",
            name="reason_sv",
            field=models.TextField(blank=True, verbose_name="reason in Swedish"),
        ),
        migrations.AddField(
            model_name="safetyplan",
            name="summary_en",
            field=models.TextField(blank=True, verbose_name="summary in English"),
        ),
        migrations.RenameField(
            model_name="safetyplan",
            old_name="summary",
            new_name="summary_fi",
        ),
        migrations.AlterField(
            model_name="safetyplan",
            name="summary_fi",
            field=models.TextField(blank=True, verbose_name="summary in Finnish"),
        ),
        migrations.AddField(
            model_name="safetyplan",
            name="summary_sv",
            field=models.TextField(blank=True, verbose_name="summary in Swedish"),
        ),
        migrations.AddField(
            model_name="safetyplan",
            name="title_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in English"),
        ),
        migrations.RenameField(
            model_name="safetyplan",
            old_name="title",
            new_name="title_fi",
        ),
        migrations.AlterField(
            model_name="safetyplan",
            name="title_fi",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in Finnish"),
        ),
        migrations.AddField(
            model_name="safetyplan",
            name="title_sv",
            field=models.CharField(blank=True, max_length=200, verbose_name="title in Swedish"),
        ),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("title_fi", ""), _negated=True),
                    models.Q(("title_sv", ""), _negated=True),
                    models.Q(("title_en", ""), _negated=True),
                    _connector="OR",
                ),
                name="action_has_title",
            ),
        ),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("indicator_fi", ""), _negated=True),
                    models.Q(("indicator_sv", ""), _negated=True),
                    models.Q(("indicator_en", ""), _negated=True),
                    models.Q(
                        ("baseline__isnull", True),
                        ("current_value__isnull", True),
                        ("target__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="action_values_need_indicator",
            ),
        ),
        migrations.AddConstraint(
            model_name="citizenpromise",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("text_fi", ""), _negated=True),
                    models.Q(("text_sv", ""), _negated=True),
                    models.Q(("text_en", ""), _negated=True),
                    _connector="OR",
                ),
                name="promise_has_text",
            ),
        ),
        migrations.AddConstraint(
            model_name="priority",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("reason_fi", ""), _negated=True),
                    models.Q(("reason_sv", ""), _negated=True),
                    models.Q(("reason_en", ""), _negated=True),
                    _connector="OR",
                ),
                name="priority_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="safetyplan",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("title_fi", ""), _negated=True),
                    models.Q(("title_sv", ""), _negated=True),
                    models.Q(("title_en", ""), _negated=True),
                    _connector="OR",
                ),
                name="plan_has_title",
            ),
        ),
        migrations.AddField(
            model_name="planrevision",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="revisions",
                to="plans.safetyplan",
                verbose_name="plan",
            ),
        ),
        migrations.AddField(
            model_name="planrevision",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="published by",
            ),
        ),
        migrations.RunPython(first_revisions, migrations.RunPython.noop),
    ]
