# SPDX-License-Identifier: EUPL-1.2
"""The municipal safety plan: priorities, actions and citizen promises for a council term.

A plan covers a council term (period_start–period_end). Its yearly action plans are the
actions of one `year`: a yearly action plan has nothing of its own besides its year, so a
year on each action keeps the plan one table deep (the plan page and the API group by it)
instead of adding a table whose only column would be the year.

Texts in fi, sv and en: each text of a plan, priority, action and promise is three columns
(`title_fi`, `title_sv`, `title_en`), like the names of municipalities and categories; the
attribute without a suffix (`action.title`) is the reader's language, falling back to
Finnish, Swedish, English (geo.models.chosen_language), and knows which language it gave.
At least one language is required where a text is.

Review of a published plan: planners, partners, the API, the admin and the map's "Create
action" always write the working copy (these tables). Publishing (`SafetyPlan.publish`)
copies the whole plan — its texts, priorities, actions with their linked observations and
walks, promises — into a `PlanRevision`; the public page, its PDF, the public walk
protocols and the public API read the latest revision only (plans.published). So any
change to a published plan, by whoever, is a draft until a planner publishes again.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from geo.constraints import NullableGeometryCheck
from geo.models import District, Municipality, chosen_language
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

LANGUAGES = ("fi", "sv", "en")
IN_LANGUAGE = {
    "fi": _("{field} in Finnish"),
    "sv": _("{field} in Swedish"),
    "en": _("{field} in English"),
}


def in_languages(field_class, verbose_name, **options) -> list:
    """The fi, sv and en columns of one text, all optional (in_some_language checks)."""
    return [
        field_class(format_lazy(IN_LANGUAGE[code], field=verbose_name), blank=True, **options)
        for code in LANGUAGES
    ]


def in_some_language(name: str) -> Q:
    """The text exists in at least one language (a CheckConstraint's condition)."""
    present = Q()
    for code in LANGUAGES:
        present |= ~Q(**{f"{name}_{code}": ""})
    return present


class LocalText(str):
    """A text in the reader's language, or a fallback: `language` is the one it is in."""

    language: str | None = None

    @property
    def fallback(self) -> bool:
        return bool(self) and self.language != (get_language() or "fi")[:2]


class Translated:
    """`obj.title`: `title_fi`, `title_sv` or `title_en` in the reader's language."""

    def __init__(self, verbose_name):
        self.short_description = verbose_name

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        texts = {code: getattr(obj, f"{self.name}_{code}") for code in LANGUAGES}
        code = chosen_language(texts)
        text = LocalText(texts.get(code) or "")
        text.language = code
        return text

    @staticmethod
    def texts(obj, name: str) -> dict:
        return {code: getattr(obj, f"{name}_{code}") for code in LANGUAGES}


def missing_text(obj, name: str, message) -> dict:
    """A form error on the Finnish column when no language has the text."""
    if any(Translated.texts(obj, name).values()):
        return {}
    return {f"{name}_fi": message}


class SafetyPlanQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=PlanState.PUBLISHED)

    def in_municipality(self, code: str):
        return self.filter(municipality__code=code)

    def latest_first(self):
        return self.order_by(F("published_at").desc(nulls_last=True), "-period_start", "-pk")


class SafetyPlan(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="safety_plans",
        verbose_name=_("municipality"),
    )
    title_fi, title_sv, title_en = in_languages(models.CharField, _("title"), max_length=200)
    period_start = models.DateField(_("council term starts"))
    period_end = models.DateField(_("council term ends"))
    state = models.CharField(
        _("state"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    summary_fi, summary_sv, summary_en = in_languages(models.TextField, _("summary"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    title = Translated(_("title"))
    summary = Translated(_("summary"))

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
            models.CheckConstraint(condition=in_some_language("title"), name="plan_has_title"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = missing_text(self, "title", _("Give the title in at least one language."))
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self) -> bool:
        return self.state == PlanState.PUBLISHED

    def publish(self, moment=None, by=None) -> "PlanRevision":
        """Publish the plan as it is now: the public reads this revision until the next.

        `published_at` stays the date of the first publication; each revision has its own.
        """
        from plans.published import publish

        return publish(self, moment=moment, by=by)

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
    reason_fi, reason_sv, reason_en = in_languages(models.TextField, _("reason"))
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

    reason = Translated(_("reason"))

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
            models.CheckConstraint(
                condition=in_some_language("reason"), name="priority_has_reason"
            ),
        ]

    def __str__(self):
        place = self.district.display_name if self.district else _("whole municipality")
        return f"{self.theme} — {place}"

    def clean(self):
        errors = missing_text(self, "reason", _("Give the reason in at least one language."))
        in_plan = self.district_id and self.plan_id
        if in_plan and self.district.municipality_id != self.plan.municipality_id:
            errors["district"] = _("The district is not in the plan's municipality.")
        if errors:
            raise ValidationError(errors)


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
    title_fi, title_sv, title_en = in_languages(models.CharField, _("title"), max_length=200)
    description_fi, description_sv, description_en = in_languages(
        models.TextField, _("description")
    )
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
    indicator_fi, indicator_sv, indicator_en = in_languages(
        models.CharField, _("indicator"), max_length=200
    )
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
    # The map page's "Create action" sends a key of its own: a repeated request (a double
    # click, a retry) finds the action it made instead of making another.
    request_key = models.UUIDField(
        _("request key"), null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    title = Translated(_("title"))
    description = Translated(_("description"))
    indicator = Translated(_("indicator"))

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
            models.CheckConstraint(condition=in_some_language("title"), name="action_has_title"),
            # Numbers without an indicator mean nothing.
            models.CheckConstraint(
                condition=in_some_language("indicator")
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
        errors = missing_text(self, "title", _("Give the title in at least one language."))
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
    title_fi, title_sv, title_en = in_languages(models.CharField, _("title"), max_length=200)
    text_fi, text_sv, text_en = in_languages(models.TextField, _("text"))
    police = models.CharField(
        _("with the police"),
        max_length=200,
        help_text=_("The police department the promise is made with."),
    )
    priorities = models.ManyToManyField(
        Priority, blank=True, related_name="promises", verbose_name=_("priorities")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    title = Translated(_("title"))
    text = Translated(_("text"))

    class Meta:
        verbose_name = _("citizen promise")
        verbose_name_plural = _("citizen promises")
        ordering = ["plan", "pk"]
        constraints = [
            models.CheckConstraint(condition=in_some_language("text"), name="promise_has_text"),
            models.CheckConstraint(condition=~Q(police=""), name="promise_made_with_police"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = missing_text(self, "text", _("Give the text in at least one language."))
        if errors:
            raise ValidationError(errors)


class PlanRevision(models.Model):
    """A published state of a plan: what the public reads until the next publication."""

    plan = models.ForeignKey(
        SafetyPlan, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("plan")
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    # The plan's rows as Django's "python" serializer writes them (plans.published).
    content = models.JSONField(_("content"), encoder=DjangoJSONEncoder)
    # SafetyPlan.change_stamp() when published: a different stamp is an unpublished change.
    stamp = models.TextField(_("change stamp"))

    class Meta:
        verbose_name = _("published revision")
        verbose_name_plural = _("published revisions")
        ordering = ["plan", "-published_at", "-pk"]

    def __str__(self):
        return f"{self.plan} — {self.published_at:%Y-%m-%d %H:%M}"
