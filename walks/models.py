# SPDX-License-Identifier: EUPL-1.2
"""Categories, safety walks, observations and their history."""

import datetime
import secrets
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import geo.functions  # noqa: F401  registers geom__x and geom__y
from geo.constraints import NullableGeometryCheck
from geo.models import Address, District, Municipality, pick_language
from walks import roles
from walks.roles import readable_observations


class TranslatedName(models.Model):
    """Names (and help) in Finnish, Swedish and English, shown in the reader's language."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=100)
    name_sv = models.CharField(_("name in Swedish"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return pick_language(self.name_fi, self.name_sv, self.name_en)


class ResponsibleUnit(TranslatedName):
    """Who fixes things: a municipal department, the police, the rescue service, an NGO."""

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="units", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")
        ordering = ["code"]


class Theme(TranslatedName):
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "code"]


class Category(TranslatedName):
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="categories", verbose_name=_("theme")
    )
    help_fi = models.CharField(_("help text in Finnish"), max_length=200, blank=True)
    help_sv = models.CharField(_("help text in Swedish"), max_length=200, blank=True)
    help_en = models.CharField(_("help text in English"), max_length=200, blank=True)
    default_unit = models.ForeignKey(
        ResponsibleUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name=_("default responsible unit"),
    )
    open311_code = models.CharField(_("Open311 service code"), max_length=40, unique=True)
    is_positive = models.BooleanField(
        _("positive"), default=False, help_text=_("A safe or pleasant place rather than a problem.")
    )
    is_sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_(
            "Observations in this category are never shown to the public, whatever their "
            "visibility."
        ),
    )
    icon = models.CharField(_("icon"), max_length=40, blank=True)
    duplicate_distance_m = models.PositiveSmallIntegerField(
        _("duplicate distance (m)"),
        default=50,
        db_default=50,
        help_text=_(
            "A resident reporting in this category is shown the open reports of the same "
            "theme this close, to support one instead of reporting it again."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["theme__order", "order", "code"]

    @property
    def help_text(self) -> str:
        return pick_language(self.help_fi, self.help_sv, self.help_en)


class ParticipantGroup(models.TextChoices):
    RESIDENTS = "residents", _("residents")
    YOUTH = "youth", _("youth")
    SENIORS = "seniors", _("seniors")
    DISABILITY = "disability", _("disability council")
    OFFICIALS = "officials", _("officials and management")
    POLICE = "police", _("police")
    PROPERTY_OWNERS = "property_owners", _("property owners")
    MIXED = "mixed", _("mixed group")


class WalkState(models.TextChoices):
    PLANNED = "planned", _("planned")
    WALKING = "walking", _("walking")
    FOLLOW_UP = "follow_up", _("follow-up")
    CLOSED = "closed", _("closed")


def new_join_code() -> str:
    # Eight characters from an alphabet without look-alikes (0/O, 1/I/L): easy to read
    # aloud and to type with gloves, and too many to guess (31^8 ≈ 8.5e11).
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def normalise_join_code(code: str) -> str:
    """A join code as typed, read aloud or scanned, as stored: no spaces, capitals."""
    return "".join(code.split()).upper()


class SafetyWalk(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="walks",
        verbose_name=_("municipality"),
    )
    districts = models.ManyToManyField(
        District, blank=True, related_name="walks", verbose_name=_("districts")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("theme")
    )
    group = models.CharField(_("group"), max_length=20, choices=ParticipantGroup.choices)
    route = models.LineStringField(_("planned route"), srid=4326, null=True, blank=True)
    track = models.MultiLineStringField(_("recorded track"), srid=4326, null=True, blank=True)
    # When `track` was last joined from the participants' tracks (the joining statement's
    # start): an upload that committed before it is in it (ParticipantTrack.record).
    track_joined_at = models.DateTimeField(_("track joined"), null=True, editable=False)
    join_code = models.CharField(_("join code"), max_length=12, unique=True, default=new_join_code)
    state = models.CharField(
        _("state"), max_length=12, choices=WalkState.choices, default=WalkState.PLANNED
    )
    follow_up_notes = models.TextField(_("follow-up notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("safety walk")
        verbose_name_plural = _("safety walks")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="walk_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(state__in=WalkState.values), name="walk_state_known"
            ),
            models.CheckConstraint(
                condition=Q(group__in=ParticipantGroup.values), name="walk_group_known"
            ),
            NullableGeometryCheck(
                field="route", condition=Q(route__isvalid=True), name="walk_route_valid"
            ),
            NullableGeometryCheck(
                field="track", condition=Q(track__isvalid=True), name="walk_track_valid"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in (WalkState.PLANNED, WalkState.WALKING)


def new_participant_key() -> str:
    return secrets.token_urlsafe(32)


class WalkParticipant(models.Model):
    """Someone who joined a walk with its code: no account, only a key scoped to the walk."""

    walk = models.ForeignKey(
        SafetyWalk, on_delete=models.CASCADE, related_name="participants", verbose_name=_("walk")
    )
    key = models.CharField(_("key"), max_length=64, unique=True, default=new_participant_key)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    group = models.CharField(_("group"), max_length=20, choices=ParticipantGroup.choices)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("walk participant")
        verbose_name_plural = _("walk participants")
        constraints = [
            models.CheckConstraint(
                condition=Q(group__in=ParticipantGroup.values), name="participant_group_known"
            ),
        ]

    def __str__(self):
        return self.display_name or f"{self.get_group_display()} #{self.pk}"

    # Lets DRF treat a participant like a signed-in user where it only asks this.
    is_authenticated = True
    # What walks.roles.role_of knows a participant by.
    is_walk_participant = True


class Status(models.TextChoices):
    NEW = "new", _("new")
    CONFIRMED = "confirmed", _("confirmed")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")
    DUPLICATE = "duplicate", _("duplicate")
    REJECTED = "rejected", _("rejected")


# Code asks for a group, never for a list of labels.
OPEN_STATUSES = (Status.NEW, Status.CONFIRMED, Status.ASSIGNED, Status.IN_PROGRESS)
FIXED_STATUSES = (Status.RESOLVED,)
CLOSED_STATUSES = (Status.RESOLVED, Status.DUPLICATE, Status.REJECTED)

ALLOWED_TRANSITIONS = {
    Status.NEW: {Status.CONFIRMED, Status.ASSIGNED, Status.DUPLICATE, Status.REJECTED},
    Status.CONFIRMED: {
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.DUPLICATE,
        Status.REJECTED,
    },
    Status.ASSIGNED: {
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.CONFIRMED,
        Status.DUPLICATE,
        Status.REJECTED,
    },
    Status.IN_PROGRESS: {Status.RESOLVED, Status.ASSIGNED},
    # Reopening is a transition like any other, so it is recorded in the history.
    Status.RESOLVED: {Status.CONFIRMED},
    Status.DUPLICATE: {Status.NEW},
    Status.REJECTED: {Status.NEW},
}


class LightCondition(models.TextChoices):
    DAYLIGHT = "daylight", _("daylight")
    DUSK = "dusk", _("dusk")
    DARK = "dark", _("dark")


class PositionSource(models.TextChoices):
    GPS = "gps", _("GPS")
    MAP = "map", _("map tap")
    ADDRESS = "address", _("address")
    IMPORT = "import", _("import")


class Source(models.TextChoices):
    """Who brought the observation in: the heat map, the district picture, the plan and the
    exports can tell walk findings from residents' own reports."""

    WALK = "walk", _("safety walk")
    RESIDENT = "resident", _("resident report")
    STAFF = "staff", _("staff")
    SURVEY = "survey", _("survey")
    IMPORT = "import", _("import")


class Moderation(models.TextChoices):
    """A resident's report waits for staff before the public sees any of it."""

    NONE = "none", _("not moderated")
    PENDING = "pending", _("to moderate")
    ACCEPTED = "accepted", _("accepted")
    TEXT_HIDDEN = "text_hidden", _("accepted, text hidden")
    REJECTED = "rejected", _("rejected")


# Never shown to the public, whatever the visibility.
UNPUBLISHED_MODERATION = (Moderation.PENDING, Moderation.REJECTED)


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    INTERNAL = "internal", _("internal")


class InvalidTransition(ValueError):
    pass


# When an observation can have been made: no walk was logged before 2000, and a phone's
# clock may run a little ahead (or sit in another time zone), but not by more than a day.
# Outside these bounds a date is a broken clock or hostile input; refused by the API and by
# the constraint observation_observed_in_range.
EARLIEST_OBSERVATION = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
CLOCK_AHEAD = datetime.timedelta(days=1)


def observed_at_in_range(moment: datetime.datetime) -> bool:
    return EARLIEST_OBSERVATION <= moment <= timezone.now() + CLOCK_AHEAD


class OutsideSensitiveCategories(models.Func):
    """True for a category id that is not one of the sensitive categories at the time the
    statement runs. The few sensitive ids are read once per statement and each row is
    tested against them as it is scanned: joining every row to its category took a fifth
    of the public district picture's time over a million observations."""

    output_field = models.BooleanField()

    def as_sql(self, compiler, connection, **extra):
        table = connection.ops.quote_name(Category._meta.db_table)
        extra["template"] = (
            f"%(expressions)s <> ALL(ARRAY(SELECT id FROM {table} WHERE is_sensitive))"
        )
        return super().as_sql(compiler, connection, **extra)


class ObservationQuerySet(models.QuerySet):
    def visible_to_public(self):
        """What anyone may read: public ones outside sensitive categories, neither
        rejected nor duplicates, nor residents' reports that staff have not accepted."""
        return (
            self.filter(OutsideSensitiveCategories("category_id"), visibility=Visibility.PUBLIC)
            .exclude(status__in=(Status.REJECTED, Status.DUPLICATE))
            .exclude(moderation__in=UNPUBLISHED_MODERATION)
        )

    def readable_by(self, who, role=None):
        """What a user, a walk participant or nobody (None) may read: walks.roles decides.
        `role` is who's role, when the caller has worked it out already."""
        return readable_observations(self, who, role)

    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)

    def in_district(self, district):
        """A District or its id."""
        return self.filter(district=district)

    def in_walk(self, walk):
        """A SafetyWalk or its id."""
        return self.filter(walk=walk)

    def in_bbox(self, bbox):
        """Those whose point lies in (or on the edge of) a rectangle, Polygon.from_bbox.

        `&&` finds them through the spatial index, but compares boxes rounded outwards to
        single precision (a metre or so); the coordinates then make the exact cut. Together
        they cost half of ST_Intersects on every row a whole-town view matches."""
        x0, y0, x1, y1 = bbox.extent
        return self.filter(geom__bboverlaps=bbox, geom__x__range=(x0, x1), geom__y__range=(y0, y1))

    def in_categories(self, codes):
        return self.filter(category__code__in=codes)

    def in_theme(self, *codes):
        """In the theme with this code (or in any of several themes)."""
        return self.filter(category__theme__code__in=codes)

    def with_status(self, statuses):
        return self.filter(status__in=statuses)

    def from_sources(self, sources):
        return self.filter(source__in=sources)

    def in_moderation(self, states):
        return self.filter(moderation__in=states)

    def in_light(self, conditions):
        return self.filter(light_condition__in=conditions)

    def positive(self, yes=True):
        """Safe or pleasant places (or, with False, problems)."""
        return self.filter(is_positive=yes)

    def for_units(self, codes):
        """Those the units with these codes answer for: the unit assigned, or, while none
        is, the category's default unit."""
        return self.filter(
            Q(responsible_unit__code__in=codes)
            | Q(responsible_unit__isnull=True, category__default_unit__code__in=codes)
        )

    def severity_between(self, low=None, high=None):
        """Severity from low to high, both included; None leaves that end open."""
        rows = self
        if low is not None:
            rows = rows.filter(severity__gte=low)
        if high is not None:
            rows = rows.filter(severity__lte=high)
        return rows

    def observed_between(self, start=None, end=None):
        """Observed from start (included) to end (excluded); None leaves that end open.

        A date means the start of that day in local time (TIME_ZONE), a naive date-time
        local time too, so `observed_between(date(2026, 11, 1), date(2026, 12, 1))` is
        November as the municipality lives it.
        """
        rows = self
        if start is not None:
            rows = rows.filter(observed_at__gte=self._local_moment(start))
        if end is not None:
            rows = rows.filter(observed_at__lt=self._local_moment(end))
        return rows

    @staticmethod
    def _local_moment(value: datetime.date | datetime.datetime) -> datetime.datetime:
        if not isinstance(value, datetime.datetime):
            value = datetime.datetime.combine(value, datetime.time.min)
        return timezone.make_aware(value) if timezone.is_naive(value) else value

    def changed_since(self, moment):
        """Created or changed at or after the moment, for clients that sync."""
        return self.filter(updated_at__gte=moment)


class Observation(models.Model):
    """One thing a walker or resident found, at one place.

    `district` is assigned by PostGIS: the trigger `observation_assign_district` (migration
    walks 0002) sets it on every INSERT and on every UPDATE of geom or municipality, so
    admin edits, bulk inserts, COPY loads and GIS clients all get the same answer.
    `address`, the nearest address point, likewise (migration walks 0009).
    """

    uuid = models.UUIDField(
        _("client UUID"),
        unique=True,
        default=uuid.uuid4,
        help_text=_("Made by the phone, so that a retried upload is recognised."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("municipality"),
    )
    walk = models.ForeignKey(
        SafetyWalk,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("walk"),
        help_text=_("Empty for a resident's own report."),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="observations",
        verbose_name=_("district"),
    )
    # The nearest address within ADDRESS_MAX_DISTANCE_M, set by PostGIS like the district
    # (migration 0009), also when addresses are imported or deleted: hence DO_NOTHING, the
    # database's trigger gives the observation its next nearest address before the commit.
    address = models.ForeignKey(
        Address,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("address"),
    )
    geom = models.PointField(_("location"), srid=4326)
    stretch = models.LineStringField(
        _("stretch"),
        srid=4326,
        null=True,
        blank=True,
        help_text=_("For a problem along a way, such as a dark stretch of path."),
    )
    accuracy_m = models.FloatField(_("position accuracy (m)"), null=True, blank=True)
    position_source = models.CharField(
        _("position from"),
        max_length=10,
        choices=PositionSource.choices,
        default=PositionSource.GPS,
    )
    # Staff by default (the admin, scripts); every writer of Lyhty's own says which.
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=Source.choices,
        default=Source.STAFF,
        db_default=Source.STAFF,
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("category"),
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"), null=True, blank=True, help_text=_("1 (minor) to 5 (serious).")
    )
    perceived_safety = models.PositiveSmallIntegerField(
        _("perceived safety"),
        null=True,
        blank=True,
        help_text=_("1 (very unsafe) to 5 (very safe)."),
    )
    is_positive = models.BooleanField(_("positive"), default=False)
    light_condition = models.CharField(
        _("light"), max_length=10, choices=LightCondition.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    proposed_fix = models.TextField(_("proposed fix"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    moderation = models.CharField(
        _("moderation"),
        max_length=12,
        choices=Moderation.choices,
        default=Moderation.NONE,
        db_default=Moderation.NONE,
    )
    # A resident's text that moderation took out of description and proposed fix: kept
    # for staff (the admin), never in any API, export or page.
    hidden_text = models.TextField(_("hidden text"), blank=True, db_default="")
    support_count = models.PositiveIntegerField(
        _("supporters"),
        default=0,
        db_default=0,
        help_text=_("Residents who said a report of theirs is the same as this one."),
    )
    # A duplicate always names its original (observation_duplicate_names_original), so the
    # original cannot simply vanish from under it: deleting an original is refused unless
    # its duplicates go in the same deletion; `reopen_duplicates` sends them back to triage.
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    responsible_unit = models.ForeignKey(
        ResponsibleUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("responsible unit"),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    participant = models.ForeignKey(
        WalkParticipant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("participant"),
    )
    observed_at = models.DateTimeField(_("observed (device time)"), default=timezone.now)
    created_at = models.DateTimeField(_("received (server time)"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    # A stretch is one dark or broken bit of a way, not a route: a phone draws it with a few
    # taps. The limits keep one observation from weighing megabytes in every read.
    MAX_STRETCH_POSITIONS = 500
    MAX_STRETCH_METRES = 5000

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["-observed_at"]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["category", "observed_at"]),
            # The list's first page, newest first: read in order, stopped after a page.
            models.Index(fields=["municipality", "observed_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="observation_geom_valid"),
            models.CheckConstraint(
                condition=Q(geom__x__range=(-180, 180), geom__y__range=(-90, 90)),
                name="observation_lonlat_in_range",
            ),
            NullableGeometryCheck(
                field="stretch",
                condition=Q(stretch__isvalid=True),
                name="observation_stretch_valid",
            ),
            models.CheckConstraint(
                condition=Q(severity__isnull=True) | Q(severity__range=(1, 5)),
                name="observation_severity_1_5",
            ),
            models.CheckConstraint(
                condition=Q(perceived_safety__isnull=True) | Q(perceived_safety__range=(1, 5)),
                name="observation_perceived_safety_1_5",
            ),
            models.CheckConstraint(
                condition=Q(accuracy_m__isnull=True) | Q(accuracy_m__gte=0),
                name="observation_accuracy_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="observation_status_known"
            ),
            models.CheckConstraint(
                condition=Q(light_condition__in=["", *LightCondition.values]),
                name="observation_light_known",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="observation_visibility_known"
            ),
            models.CheckConstraint(
                condition=Q(position_source__in=PositionSource.values),
                name="observation_position_source_known",
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="observation_source_known"
            ),
            models.CheckConstraint(
                condition=Q(moderation__in=Moderation.values),
                name="observation_moderation_known",
            ),
            # Now() only moves forward, so a row once accepted stays valid (also on restore).
            models.CheckConstraint(
                condition=Q(observed_at__gte=EARLIEST_OBSERVATION)
                & Q(observed_at__lte=Now() + CLOCK_AHEAD),
                name="observation_observed_in_range",
                violation_error_message=_(
                    "The observation time must be from 2000 onwards and at most a day from now."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("id")),
                name="observation_not_duplicate_of_itself",
                violation_error_message=_("An observation cannot duplicate itself."),
            ),
            # Leaving `duplicate` (only to `new`, see ALLOWED_TRANSITIONS) clears the link.
            models.CheckConstraint(
                condition=Q(status=Status.DUPLICATE, duplicate_of__isnull=False)
                | (~Q(status=Status.DUPLICATE) & Q(duplicate_of__isnull=True)),
                name="observation_duplicate_names_original",
                violation_error_message=_(
                    "A duplicate names its original, and only a duplicate names one."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.category} #{self.pk}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"geom", "municipality"} & set(update_fields):
            # The database triggers chose the district and the address; read them back.
            self.district_id, self.address_id = (
                Observation.objects.filter(pk=self.pk)
                .values_list("district_id", "address_id")
                .get()
            )

    @property
    def place(self) -> str:
        """Where it is, for people: the nearest address, or else the coordinates."""
        if self.address_id is not None:
            return self.address.label
        return _("%(lat).5f° N, %(lon).5f° E") % {"lat": self.geom.y, "lon": self.geom.x}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS.get(self.status, set())

    def change_status(self, status: str, *, by=None, note: str = "", unit=None, duplicate_of=None):
        """Move along the workflow and record who did it; assignment may go with it.

        Moving to `duplicate` needs the original (`duplicate_of`); any other status clears it.
        """
        if status != self.status and not self.can_move_to(status):
            raise InvalidTransition(
                _("An observation cannot go from %(old)s to %(new)s.")
                % {"old": Status(self.status).label, "new": Status(status).label}
            )
        if status == Status.DUPLICATE:
            if duplicate_of is None:
                raise InvalidTransition(_("A duplicate needs the original it repeats."))
            if duplicate_of.pk == self.pk:
                raise InvalidTransition(_("An observation cannot duplicate itself."))
        elif duplicate_of is not None:
            raise InvalidTransition(_("Only a duplicate names an original."))
        change = StatusChange(
            observation=self,
            from_status=self.status,
            to_status=status,
            from_unit=self.responsible_unit,
            to_unit=unit or self.responsible_unit,
            changed_by=by,
            note=note,
        )
        self.status = status
        self.duplicate_of = duplicate_of
        if unit is not None:
            self.responsible_unit = unit
        if self.moderation == Moderation.REJECTED and status == Status.NEW:
            self.moderation = Moderation.PENDING  # a rejected report reopened waits again
        self.save(
            update_fields=["status", "duplicate_of", "responsible_unit", "moderation", "updated_at"]
        )
        change.save()
        AuditEvent.record(
            AuditAction.STATUS,
            by=by,
            target=self,
            status=[change.from_status, change.to_status],
            unit=[change.from_unit_id, change.to_unit_id],
        )
        if change.from_status != change.to_status:
            from walks.reports import tell_reporter  # walks.reports imports this module

            tell_reporter(self, change)
        return change

    def reopen_duplicates(self, *, by=None, note: str = "") -> int:
        """Send this observation's duplicates back to `new` (recorded in their history),
        as before deleting it: without their original they need another look."""
        duplicates = list(Observation.objects.select_for_update().filter(duplicate_of=self))
        for duplicate in duplicates:
            duplicate.change_status(Status.NEW, by=by, note=note)
        return len(duplicates)


class StatusChange(models.Model):
    """One step in an observation's history: a status change, an assignment, or both."""

    observation = models.ForeignKey(
        Observation,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("observation"),
    )
    from_status = models.CharField(_("from status"), max_length=12, choices=Status.choices)
    to_status = models.CharField(_("to status"), max_length=12, choices=Status.choices)
    from_unit = models.ForeignKey(
        ResponsibleUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from unit"),
    )
    to_unit = models.ForeignKey(
        ResponsibleUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to unit"),
    )
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status__in=Status.values) & Q(to_status__in=Status.values),
                name="status_change_statuses_known",
            ),
        ]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


def photo_path(photo, filename):
    return f"photos/{photo.sha256[:2]}/{photo.sha256}.jpg"


def thumbnail_path(photo, filename):
    return f"photos/{photo.sha256[:2]}/{photo.sha256}-thumb.jpg"


class Photo(models.Model):
    """A photo of an observation, re-encoded without EXIF; the same bytes are stored once."""

    observation = models.ForeignKey(
        Observation,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("observation"),
    )
    sha256 = models.CharField(
        _("SHA-256 of the upload"),
        max_length=64,
        help_text=_("Of the bytes the client sent, so a retried upload is recognised."),
    )
    image = models.ImageField(
        _("image"), upload_to=photo_path, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(_("thumbnail"), upload_to=thumbnail_path)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["observation", "sha256"], name="photo_once_per_observation"
            ),
        ]

    def __str__(self):
        return f"{self.observation} {self.sha256[:8]}"


class ParticipantTrack(models.Model):
    """The route one participant recorded on their phone (opt-in), whole, as last uploaded.

    The walk's recorded track (`SafetyWalk.track`) is all its participants' tracks
    collected into one MultiLineString by PostGIS: see `record`.
    """

    # A phone sends the whole track so far every few minutes; past this it is no longer a walk.
    MAX_VERTICES = 20_000

    participant = models.OneToOneField(
        WalkParticipant,
        on_delete=models.CASCADE,
        related_name="track",
        verbose_name=_("participant"),
    )
    geom = models.LineStringField(_("track"), srid=4326)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("participant's track")
        verbose_name_plural = _("participants' tracks")
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="participant_track_valid"),
        ]

    def __str__(self):
        return str(self.participant)

    @classmethod
    def record(cls, participant: WalkParticipant, line) -> "ParticipantTrack":
        """Store the participant's track (replacing the last one), then see that the walk's
        recorded track holds it: ST_Multi(ST_Collect(...)) of all its participants' tracks.

        The upload commits first, on its own. Then, under the walk's row lock, the walk's
        track is joined again unless a join that started after this upload committed has
        done it already. On a walk evening hundreds of phones upload every half minute:
        those that waited for the lock while another joined find their track joined and
        skip, so the lock is held for about one join at a time, not one per upload
        (docs/reliability.md).
        """
        from django.db import transaction

        with transaction.atomic():
            track, _created = cls.objects.update_or_create(
                participant=participant, defaults={"geom": line}
            )
        cls.join_walk_tracks(participant.walk_id)
        return track

    @classmethod
    def join_walk_tracks(cls, walk_id: int) -> bool:
        """Join the walk's participants' tracks into its recorded track, unless a join that
        started after this call did already; True if this call joined them."""
        from django.contrib.gis.db.models import Collect
        from django.db import transaction
        from django.db.models import Func, OuterRef, Subquery
        from django.db.models.lookups import GreaterThan

        class Multi(Func):
            function = "ST_Multi"
            output_field = models.MultiLineStringField(srid=4326)

        with transaction.atomic():
            # Now() is this statement's start, after the caller's upload committed; a join
            # stamped later saw that upload (its snapshot is taken after its stamp).
            joined_since = (
                SafetyWalk.objects.select_for_update()
                .filter(pk=walk_id)
                .values_list(GreaterThan(F("track_joined_at"), Now()), flat=True)
            )
            if joined_since.first():
                return False
            collected = (
                cls.objects.filter(participant__walk_id=OuterRef("pk"))
                .order_by()
                .values("participant__walk_id")
                .annotate(lines=Multi(Collect("geom")))
                .values("lines")
            )
            SafetyWalk.objects.filter(pk=walk_id).update(
                track=Subquery(collected), track_joined_at=Now()
            )
        return True


class UserProfile(models.Model):
    """What Lyhty keeps about an account beyond Django's user: its own municipality, set by
    an administrator in the user's page of the admin."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default municipality"),
        help_text=_("The map workspace opens on this municipality."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)

    @classmethod
    def municipality_of(cls, user) -> Municipality | None:
        """Where the user starts: their own municipality if their role counts there (any
        for an administrator), else their first membership's (by code); for an
        administrator without one, the first (by code) with observations, which is the
        only one in most installations, else the first. None for a user without a
        membership."""
        towns = Municipality.objects.defer("geom").order_by("code")
        scope = roles.municipalities_of(user)
        if scope is not None:
            towns = towns.filter(pk__in=scope)
        own = towns.filter(pk__in=cls.objects.filter(user_id=user.pk).values("municipality"))
        if scope is not None:
            return own.first() or towns.first()
        with_data = towns.filter(Exists(Observation.objects.filter(municipality_id=OuterRef("pk"))))
        return own.first() or with_data.first() or towns.first()


class AuditAction(models.TextChoices):
    STATUS = "status", _("status or assignment changed")
    VISIBILITY = "visibility", _("visibility changed")
    DELETED = "deleted", _("observation deleted")
    MODERATED = "moderated", _("report moderated")
    PLAN_PUBLISHED = "plan_published", _("plan published")
    PERSONAL_DATA_EXPORTED = "personal_exported", _("personal data exported")
    PERSONAL_DATA_ERASED = "personal_erased", _("personal data erased")


class AuditEvent(models.Model):
    """One staff change on record: who did what to which object, and when.

    For administrators only (the admin's audit trail); never in the API, exports or pages.
    Written by `AuditEvent.record` beside the change, in its transaction (a change rolled
    back leaves none). The actor's name is kept as it was, so that the trail stays readable
    after the account is removed.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("who (as then)"), max_length=150, blank=True)
    action = models.CharField(_("what"), max_length=20, choices=AuditAction.choices)
    target_type = models.CharField(_("object type"), max_length=40)
    target_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '—'}: {self.get_action_display()}"

    @classmethod
    def record(
        cls, action, *, by, target, municipality=None, label=None, **details
    ) -> "AuditEvent":
        """Put a change on record. `by` is the user (None or anonymous for a participant or
        the system); `target` the changed object (`label` instead of its name where the name
        is the personal data concerned); `details` what changed, JSON-ready."""
        actor = by if getattr(by, "is_authenticated", False) else None
        if municipality is None:
            municipality_id = getattr(target, "municipality_id", None)
        else:
            municipality_id = municipality.pk
        return cls.objects.create(
            actor=actor,
            actor_name=actor.get_username() if actor else "",
            action=action,
            target_type=target._meta.model_name,
            target_id=target.pk,
            target_label=(str(target) if label is None else label)[:200],
            municipality_id=municipality_id,
            details=details,
        )


class PartnerKind(models.TextChoices):
    """The partner organisations of the troika and beyond; the same values as the owner
    kinds of plan actions (plans.models.OwnerKind), so an action names its partner."""

    POLICE = "police", _("police")
    RESCUE = "rescue", _("rescue service")
    NGO = "ngo", _("non-governmental organisation")
    HOUSING = "housing", _("housing company")


class Membership(models.Model):
    """A user's role in one municipality (walks.roles): department staff (their units are
    the user's responsible units), planner, or a partner organisation. One role per user
    and municipality; a user may hold roles in several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("municipality"),
    )
    role = models.CharField(
        _("role"),
        max_length=12,
        choices=[(role.value, role.label) for role in roles.MEMBER_ROLES],
    )
    organisation_kind = models.CharField(
        _("partner organisation kind"),
        max_length=12,
        choices=PartnerKind.choices,
        blank=True,
        help_text=_("Partners only: the kind of their organisation."),
    )
    organisation = models.CharField(
        _("partner organisation"),
        max_length=200,
        blank=True,
        help_text=_(
            "Partners only: the organisation's name as the plan's actions name their owner."
        ),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user", "municipality__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="membership_once_per_municipality"
            ),
            models.CheckConstraint(
                condition=Q(role__in=[role.value for role in roles.MEMBER_ROLES]),
                name="membership_role_known",
            ),
            # A partner names their organisation; nobody else has one.
            models.CheckConstraint(
                condition=(
                    Q(role=roles.Role.PARTNER)
                    & Q(organisation_kind__in=PartnerKind.values)
                    & ~Q(organisation="")
                )
                | (~Q(role=roles.Role.PARTNER) & Q(organisation_kind="", organisation="")),
                name="membership_partner_names_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.municipality} — {self.get_role_display()}"

    def clean(self):
        if self.role == roles.Role.PARTNER:
            errors = {}
            if not self.organisation_kind:
                errors["organisation_kind"] = _("A partner needs their organisation's kind.")
            if not self.organisation.strip():
                errors["organisation"] = _("A partner needs their organisation's name.")
            if errors:
                raise ValidationError(errors)
        else:
            self.organisation_kind = ""
            self.organisation = ""
        self.organisation = self.organisation.strip()


def new_report_token() -> str:
    return secrets.token_urlsafe(24)


class ReportLanguage(models.TextChoices):
    FI = "fi", "suomi"
    SV = "sv", "svenska"
    EN = "en", "English"


class ResidentReport(models.Model):
    """What Lyhty keeps of the resident behind an observation reported at /report/: no
    account, only an unguessable token for the follow-up page and, if they want updates,
    an email address. Neither ever leaves for the public, an export or another resident."""

    observation = models.OneToOneField(
        Observation,
        on_delete=models.CASCADE,
        related_name="report",
        verbose_name=_("observation"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_report_token)
    # Made by the resident's browser and kept there: a retried upload from the same browser
    # gets its follow-up link back, anyone else who knows the UUID does not.
    device = models.CharField(_("device"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=ReportLanguage.choices, default=ReportLanguage.FI
    )
    notify = models.BooleanField(_("send updates"), default=False)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("resident report")
        verbose_name_plural = _("resident reports")

    def __str__(self):
        return str(self.observation)


class Support(models.Model):
    """A resident who said "this is the same" instead of reporting again: one per UUID,
    so a retried upload counts once."""

    uuid = models.UUIDField(_("client UUID"), unique=True)
    observation = models.ForeignKey(
        Observation,
        on_delete=models.CASCADE,
        related_name="supports",
        verbose_name=_("observation"),
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")

    def __str__(self):
        return f"{self.observation} +1"
