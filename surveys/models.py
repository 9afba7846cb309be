# SPDX-License-Identifier: EUPL-1.2
"""The resident safety survey: its questions, and the residents' anonymous answers.

A survey belongs to a municipality and a period. Its questions are of a few kinds
(QuestionKind); choices, the age groups and the reasons of map answers are Options. One
Response per device: the phone makes a random token, and only its SHA-256 is stored
(`device`), unique within the survey, so a second submission from the same phone is
refused while nothing names the resident. A Response's home district is the one the
resident picked (the background question), never worked out from their map answers.
"""

import hashlib
import uuid

from django.contrib.gis.db import models
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from geo.constraints import NullableGeometryCheck
from geo.models import District, Municipality, pick_language
from walks.models import Category, Observation


class TranslatedText(models.Model):
    """A text in Finnish, Swedish and English, shown in the reader's language."""

    text_fi = models.CharField(_("text in Finnish"), max_length=300)
    text_sv = models.CharField(_("text in Swedish"), max_length=300)
    text_en = models.CharField(_("text in English"), max_length=300)

    class Meta:
        abstract = True

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return pick_language(self.text_fi, self.text_sv, self.text_en)


class SurveyQuerySet(models.QuerySet):
    def answerable(self):
        """Surveys residents answer: not the templates that new surveys are copied from."""
        return self.filter(is_template=False)

    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)

    def latest_first(self):
        return self.order_by("-opens_on", "-pk")


class Survey(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("municipality"),
    )
    slug = models.SlugField(
        _("address"),
        max_length=60,
        unique=True,
        help_text=_("The survey is at /survey/<address>/."),
    )
    title_fi = models.CharField(_("title in Finnish"), max_length=200)
    title_sv = models.CharField(_("title in Swedish"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    intro_fi = models.TextField(_("introduction in Finnish"), blank=True)
    intro_sv = models.TextField(_("introduction in Swedish"), blank=True)
    intro_en = models.TextField(_("introduction in English"), blank=True)
    opens_on = models.DateField(_("open from"))
    closes_on = models.DateField(_("open until"), help_text=_("The last day answers are taken."))
    map_answers_to_observations = models.BooleanField(
        _("map answers become observations"),
        default=True,
        help_text=_(
            "Places marked on the map are shown on the heat map and in the district picture "
            "as observations from the survey."
        ),
    )
    is_template = models.BooleanField(
        _("template"),
        default=False,
        help_text=_("A template is not answered: new surveys are copied from it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["municipality", "-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="survey_closes_after_opening"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return pick_language(self.title_fi, self.title_sv, self.title_en)

    @property
    def intro(self) -> str:
        return pick_language(self.intro_fi, self.intro_sv, self.intro_en)

    def is_open_on(self, day) -> bool:
        return not self.is_template and self.opens_on <= day <= self.closes_on

    @transaction.atomic
    def copy(self, **changes) -> "Survey":
        """A new survey with this one's questions and options; `changes` sets its own
        fields (slug, municipality, opens_on, closes_on, titles…). Never a template."""
        questions = list(self.questions.prefetch_related("options"))
        survey = Survey.objects.get(pk=self.pk)
        survey.pk = None
        survey.is_template = False
        for name, value in changes.items():
            setattr(survey, name, value)
        survey.save()
        for question in questions:
            options = list(question.options.all())
            question.pk, question.survey = None, survey
            question.save()
            for option in options:
                option.pk, option.question = None, question
                option.save()
        return survey


class QuestionKind(models.TextChoices):
    SAFETY_DAY = "safety_day", _("perceived safety by day (1–5)")
    SAFETY_DARK = "safety_dark", _("perceived safety after dark (1–5)")
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    TEXT = "text", _("free text")
    MAP_POINT = "map_point", _("places on the map")
    MAP_LINE = "map_line", _("stretches on the map")
    AGE_GROUP = "age_group", _("background: age group")
    HOME_DISTRICT = "home_district", _("background: district of residence")


SCALE_KINDS = (QuestionKind.SAFETY_DAY, QuestionKind.SAFETY_DARK)
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.AGE_GROUP)
MAP_KINDS = (QuestionKind.MAP_POINT, QuestionKind.MAP_LINE)


class TimeOfDay(models.TextChoices):
    """When a place marked on the map feels as it does: the light conditions of walks, and
    any time."""

    DAYLIGHT = "daylight", _("by day")
    DUSK = "dusk", _("in the evening")
    DARK = "dark", _("after dark")
    ALWAYS = "always", _("at any time")


class Question(TranslatedText):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    help_fi = models.CharField(_("help text in Finnish"), max_length=300, blank=True)
    help_sv = models.CharField(_("help text in Swedish"), max_length=300, blank=True)
    help_en = models.CharField(_("help text in English"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    positive = models.BooleanField(
        _("safe places"),
        default=False,
        help_text=_("For map questions: the places marked are safe or pleasant ones."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_known"
            ),
        ]

    @property
    def help_text(self) -> str:
        return pick_language(self.help_fi, self.help_sv, self.help_en)

    @property
    def is_map(self) -> bool:
        return self.kind in MAP_KINDS


class Option(TranslatedText):
    """A choice, an age group, or a reason given for a place on the map."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    code = models.SlugField(_("code"), max_length=40)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("For reasons of map answers: the category of the observation it becomes."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_code_unique"),
        ]


class ResponseSource(models.TextChoices):
    PAGE = "page", _("survey page")
    IMPORT = "import", _("import")


def device_hash(token: str) -> str:
    """What is stored of a phone's token: its SHA-256, enough to recognise the phone."""
    return hashlib.sha256(token.encode()).hexdigest()


class Response(models.Model):
    """One resident's answers: anonymous, at most one per device and survey."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    uuid = models.UUIDField(_("client UUID"), unique=True, default=uuid.uuid4)
    device = models.CharField(_("device"), max_length=64, null=True, blank=True, editable=False)
    home_district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district of residence"),
    )
    language = models.CharField(_("language"), max_length=2, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=ResponseSource.choices, default=ResponseSource.PAGE
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["survey", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "device"], name="response_one_per_device"),
        ]

    def __str__(self):
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    """One answer to a question: a number (1–5), an option, or text. A multiple choice has
    a row per option chosen."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("option")
    )
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__range=(1, 5)),
                name="answer_number_1_5",
            ),
        ]


class Place(models.Model):
    """A place (or stretch) a resident marked on the map, why, and when."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="places", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="places", verbose_name=_("question")
    )
    geom = models.PointField(_("location"), srid=4326)
    stretch = models.LineStringField(_("stretch"), srid=4326, null=True, blank=True)
    reason = models.ForeignKey(
        Option, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("reason")
    )
    time_of_day = models.CharField(
        _("time of day"), max_length=10, choices=TimeOfDay.choices, default=TimeOfDay.ALWAYS
    )
    note = models.TextField(_("note"), blank=True)
    observation = models.OneToOneField(
        Observation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_place",
        verbose_name=_("observation"),
    )

    class Meta:
        verbose_name = _("place on the map")
        verbose_name_plural = _("places on the map")
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="place_geom_valid"),
            NullableGeometryCheck(
                field="stretch", condition=Q(stretch__isvalid=True), name="place_stretch_valid"
            ),
            models.CheckConstraint(
                condition=Q(time_of_day__in=TimeOfDay.values), name="place_time_of_day_known"
            ),
        ]
