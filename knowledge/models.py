# SPDX-License-Identifier: EUPL-1.2
"""The shared knowledge base: official data beside the observations.

Incidents are points of official files — traffic accidents, crimes, rescue-service
call-outs — imported with `manage.py import_incidents`; PostGIS gives each its district
with the rule observations follow (knowledge migration 0001). Area statistics are
per-district figures by year (population, crimes per district), imported with
`manage.py import_area_statistics`. An indicator is a named yearly series over any of
them, over the observations, or entered by hand; knowledge/indicators.py computes it.
"""

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _

from geo.models import District, Municipality
from walks.filters import FILTERS, FilterError, parse_filter
from walks.models import Theme

# Years an official series can hold; a year outside is a misread field.
FIRST_YEAR, LAST_YEAR = 1900, 2100


class IncidentKind(models.TextChoices):
    TRAFFIC_ACCIDENT = "traffic_accident", _("traffic accident")
    CRIME = "crime", _("crime")
    RESCUE = "rescue", _("rescue-service call-out")
    OTHER = "other", _("other incident")


class IncidentQuerySet(models.QuerySet):
    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)

    def of_kind(self, kind):
        return self.filter(kind=kind)

    def from_source(self, source):
        return self.filter(source=source)

    def in_district(self, district):
        return self.filter(district=district)

    def per_year_and_district(self):
        """{(year, district id or None): sum of counts}."""
        rows = self.values_list("year", "district").annotate(total=Sum("count"))
        return {(year, district): total for year, district, total in rows}


class Incident(models.Model):
    """One row of an official point file: `count` events at one place on one day (or in
    one year, when the file gives only the year)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="incidents",
        verbose_name=_("municipality"),
    )
    # Assigned by PostGIS on every write and whenever districts change (migration 0001).
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("district"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    source = models.CharField(_("source"), max_length=200)
    date = models.DateField(_("date"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.PositiveIntegerField(_("count"), default=1)
    geom = models.PointField(_("location"), srid=4326)
    attributes = models.JSONField(_("original attributes"), default=dict, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["municipality", "year", "date", "id"]
        indexes = [models.Index(fields=["municipality", "kind", "year"])]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="incident_geom_valid"),
            models.CheckConstraint(
                condition=Q(kind__in=IncidentKind.values), name="incident_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR), name="incident_year_range"
            ),
            models.CheckConstraint(
                condition=Q(date__isnull=True) | Q(date__year=F("year")),
                name="incident_date_in_year",
            ),
            models.CheckConstraint(condition=~Q(source=""), name="incident_has_source"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date or self.year} ({self.source})"


class AreaStatisticQuerySet(models.QuerySet):
    def named(self, name):
        return self.filter(name=name)

    def in_municipality(self, municipality):
        return self.filter(district__municipality=municipality)


class AreaStatistic(models.Model):
    """One figure of one district in one year, e.g. its population in 2016."""

    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        related_name="statistics",
        verbose_name=_("district"),
    )
    name = models.CharField(
        _("statistic"), max_length=100, help_text=_("What is counted, e.g. population.")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    objects = AreaStatisticQuerySet.as_manager()

    class Meta:
        verbose_name = _("area statistic")
        verbose_name_plural = _("area statistics")
        ordering = ["district", "name", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name", "year"], name="area_statistic_unique"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                name="area_statistic_year_range",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="area_statistic_has_name"),
        ]

    def __str__(self):
        return f"{self.district} {self.name} {self.year}: {self.value:g}"


class SurveyMeasure(models.TextChoices):
    """The survey's perceived-safety questions (surveys.models.QuestionKind's scale kinds)."""

    SAFETY_DAY = "safety_day", _("perceived safety by day (1–5)")
    SAFETY_DARK = "safety_dark", _("perceived safety after dark (1–5)")


class IndicatorKind(models.TextChoices):
    INCIDENTS = "incidents", _("incidents of a kind per year")
    OBSERVATIONS = "observations", _("observations matching filters per year")
    FIXED_SHARE = "fixed_share", _("share of a theme's observations fixed within N days (%)")
    AREA_STATISTIC = "area_statistic", _("area statistic")
    SURVEY = "survey", _("mean perceived safety in the resident survey")
    MANUAL = "manual", _("entered by hand")


class Indicator(models.Model):
    """A named yearly series, e.g. "injury traffic accidents in Kallio": its definition
    here, its values from knowledge.indicators.series (or, entered by hand, IndicatorValue).

    Which fields count depends on the kind: incidents use incident_kind (and source, if
    only one source counts); observations the filters (walks/filters.py names and their
    query-string text); fixed_share the theme and days; area_statistic the statistic;
    survey the survey measure (the mean answer of each year's survey, the district being
    the respondents' district of residence). The district narrows any of them; empty, the
    whole municipality.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=IndicatorKind.choices)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Empty: the whole municipality."),
    )
    incident_kind = models.CharField(
        _("incident kind"), max_length=20, choices=IncidentKind.choices, blank=True
    )
    filters = models.JSONField(
        _("observation filters"),
        default=dict,
        blank=True,
        help_text=_(
            'Filter names and values as in the map\'s address, e.g. {"theme": "lighting"}.'
        ),
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("theme"),
    )  # fmt: skip
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    statistic = models.CharField(_("statistic"), max_length=100, blank=True)
    survey_measure = models.CharField(
        _("survey question"), max_length=20, choices=SurveyMeasure.choices, blank=True
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_(
            "Incidents: only this source (empty: all). By hand: where the figures come from."
        ),
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["municipality", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=IndicatorKind.values), name="indicator_kind_known"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="indicator_has_name"),
            models.CheckConstraint(
                condition=~Q(kind=IndicatorKind.INCIDENTS) | ~Q(incident_kind=""),
                name="indicator_incidents_have_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind=IndicatorKind.FIXED_SHARE)
                | Q(theme__isnull=False, days__isnull=False),
                name="indicator_fixed_share_has_theme_and_days",
            ),
            models.CheckConstraint(
                condition=~Q(kind=IndicatorKind.AREA_STATISTIC) | ~Q(statistic=""),
                name="indicator_area_statistic_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind=IndicatorKind.SURVEY)
                | Q(survey_measure__in=SurveyMeasure.values),
                name="indicator_survey_has_measure",
            ),
            models.CheckConstraint(
                condition=~Q(kind=IndicatorKind.MANUAL) | ~Q(source=""),
                name="indicator_manual_has_source",
            ),
        ]

    def __str__(self):
        return self.name

    def parsed_filters(self) -> dict:
        """The filters as walks.filters.apply_filters takes them; FilterError if one is
        unknown or cannot be read."""
        if not isinstance(self.filters, dict):
            raise FilterError(_("The filters must be names with values."))
        unknown = sorted(set(self.filters) - set(FILTERS))
        if unknown:
            raise FilterError(_("Unknown filters: %(names)s.") % {"names": ", ".join(unknown)})
        return {name: parse_filter(name, text) for name, text in self.filters.items()}

    def clean(self):
        if self.district_id and self.district.municipality_id != self.municipality_id:
            raise ValidationError({"district": _("The district is not in the municipality.")})
        if self.kind == IndicatorKind.OBSERVATIONS:
            try:
                self.parsed_filters()
            except FilterError as error:
                raise ValidationError({"filters": str(error)}) from error


class IndicatorValue(models.Model):
    """One year of an indicator entered by hand (kind "manual")."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicator_value_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                name="indicator_value_year_range",
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.year}: {self.value:g}"
