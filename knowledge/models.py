# SPDX-License-Identifier: EUPL-1.2
"""The shared knowledge base: official data beside the observations.

Incidents are points of official files — traffic accidents, crimes, rescue-service
call-outs — imported with `manage.py import_incidents`; PostGIS gives each its district
with the rule observations follow (knowledge migration 0001). Area statistics are
per-district figures by year (population, crimes per district), imported with
`manage.py import_area_statistics`.
"""

from django.contrib.gis.db import models
from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _

from geo.models import District, Municipality

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
