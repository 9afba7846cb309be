# SPDX-License-Identifier: EUPL-1.2
"""The municipal safety plan: priorities, actions and citizen promises for a council term.

A plan covers a council term (period_start–period_end). Its yearly action plans are the
actions of one `year`: a yearly action plan has nothing of its own besides its year, so a
year on each action keeps the plan one table deep (the plan page and the API group by it)
instead of adding a table whose only column would be the year.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geo.constraints import NullableGeometryCheck
from geo.models import District, Municipality
from knowledge.models import Indicator
from walks.models import Observation, SafetyWalk, Theme


class PlanState(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class OwnerKind(models.TextChoices):
    MUNICIPAL = "municipal", _("municipal department")
    POLICE = "police", _("police")
    RESCUE = "rescue", _("rescue service")
    NGO = "ngo", _("non-governmental organisation")
    HOUSING = "housing", _("housing company")
    BUSINESS = "business", _("business")
    OTHER = "other", _("other")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")
    DELAYED = "delayed", _("delayed")


# The years a plan or action may name: anything else is a typo.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class SafetyPlanQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=PlanState.PUBLISHED)

    def in_municipality(self, code: str):
        return self.filter(municipality__code=code)

    def latest_first(self):
        return self.order_by(F("published_at").desc(nulls_last=True), "-period_start", "-pk")


class ActionQuerySet(models.QuerySet):
    def in_published_plans(self):
        """What the public may know of: a draft plan's actions are the planners' own."""
        return self.filter(plan__state=PlanState.PUBLISHED)

    def counting(self, observations):
        """Each action with `observation_count`: how many of `observations` (what the
        reader may see) it links, in one subquery."""
        linked = (
            observations.filter(actions=OuterRef("pk"))
            .order_by()
            .values("actions")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(observation_count=Coalesce(Subquery(linked), 0))


class SafetyPlan(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="safety_plans",
        verbose_name=_("municipality"),
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("council term starts"))
    period_end = models.DateField(_("council term ends"))
    state = models.CharField(
        _("state"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SafetyPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")
        ordering = ["municipality", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="plan_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(state__in=PlanState.values), name="plan_state_known"
            ),
            models.CheckConstraint(
                condition=Q(state=PlanState.DRAFT) | Q(published_at__isnull=False),
                name="plan_published_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state == PlanState.PUBLISHED

    def publish(self, moment=None):
        self.state = PlanState.PUBLISHED
        self.published_at = self.published_at or moment or timezone.now()
        self.save(update_fields=["state", "published_at", "updated_at"])

    def years(self) -> list[int]:
        return list(range(self.period_start.year, self.period_end.year + 1))

    def change_stamp(self) -> str:
        """Changes whenever the plan or anything in it is saved, added or deleted."""
        parts = [self.updated_at.isoformat()]
        for related in (self.priorities, self.actions, self.promises):
            aggregate = related.aggregate(last=Max("updated_at"), n=models.Count("pk"))
            parts.append(f"{aggregate['last']}/{aggregate['n']}")
        return "|".join(parts)


class Priority(models.Model):
    """A theme to work on, in one district or (without a district) the whole municipality."""

    plan = models.ForeignKey(
        SafetyPlan, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("plan")
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="+", verbose_name=_("theme")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Empty: the whole municipality."),
    )
    reason = models.TextField(_("reason"))
    linked_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="priorities",
        verbose_name=_("indicator of the knowledge base"),
        help_text=_("Its yearly series gives the baseline and the current value."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["plan", "order", "pk"]
        constraints = [
            # One priority per theme and place; "the whole municipality" counts once too.
            models.UniqueConstraint(
                fields=["plan", "theme", "district"],
                nulls_distinct=False,
                name="priority_once_per_theme_and_place",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="priority_has_reason"),
        ]

    def __str__(self):
        place = self.district.display_name if self.district else _("whole municipality")
        return f"{self.theme} — {place}"

    def clean(self):
        in_plan = self.district_id and self.plan_id
        if in_plan and self.district.municipality_id != self.plan.municipality_id:
            raise ValidationError(
                {"district": _("The district is not in the plan's municipality.")}
            )


class Action(models.Model):
    plan = models.ForeignKey(
        SafetyPlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan")
    )
    priority = models.ForeignKey(
        Priority,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("priority"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("The yearly action plan this action belongs to.")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_kind = models.CharField(
        _("owner organisation kind"),
        max_length=12,
        choices=OwnerKind.choices,
        default=OwnerKind.MUNICIPAL,
    )
    owner_name = models.CharField(_("owner organisation"), max_length=200, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    indicator = models.CharField(_("indicator"), max_length=200, blank=True)
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    current_value = models.FloatField(_("current value"), null=True, blank=True)
    linked_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("indicator of the knowledge base"),
        help_text=_("Its yearly series gives the baseline and the current value."),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    geom = models.MultiPolygonField(_("area"), srid=4326, null=True, blank=True)
    source_filters = models.JSONField(
        _("observation filters"),
        default=dict,
        blank=True,
        help_text=_("The filters the linked observations were chosen with."),
    )
    observations = models.ManyToManyField(
        Observation, blank=True, related_name="actions", verbose_name=_("observations")
    )
    walks = models.ManyToManyField(
        SafetyWalk, blank=True, related_name="actions", verbose_name=_("walks")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "year", "deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_known"
            ),
            models.CheckConstraint(
                condition=Q(owner_kind__in=OwnerKind.values), name="action_owner_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(year__range=(FIRST_YEAR, LAST_YEAR)), name="action_year_in_range"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="action_has_title"),
            # Numbers without an indicator mean nothing.
            models.CheckConstraint(
                condition=~Q(indicator="")
                | Q(baseline__isnull=True, target__isnull=True, current_value__isnull=True),
                name="action_values_need_indicator",
            ),
            NullableGeometryCheck(
                field="geom", condition=Q(geom__isvalid=True), name="action_geom_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.plan_id:
            if self.priority_id and self.priority.plan_id != self.plan_id:
                errors["priority"] = _("The priority belongs to another plan.")
            if self.district_id and self.district.municipality_id != self.plan.municipality_id:
                errors["district"] = _("The district is not in the plan's municipality.")
            if self.year and self.year not in self.plan.years():
                errors["year"] = _("The year is outside the plan's council term.")
        if errors:
            raise ValidationError(errors)


class CitizenPromise(models.Model):
    """A commitment made together with the police (*medborgarlöfte*), from the priorities."""

    plan = models.ForeignKey(
        SafetyPlan, on_delete=models.CASCADE, related_name="promises", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    police = models.CharField(
        _("with the police"),
        max_length=200,
        help_text=_("The police department the promise is made with."),
    )
    priorities = models.ManyToManyField(
        Priority, blank=True, related_name="promises", verbose_name=_("priorities")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("citizen promise")
        verbose_name_plural = _("citizen promises")
        ordering = ["plan", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="promise_has_text"),
            models.CheckConstraint(condition=~Q(police=""), name="promise_made_with_police"),
        ]

    def __str__(self):
        return self.title
