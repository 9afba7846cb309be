# SPDX-License-Identifier: EUPL-1.2
"""Municipalities and their districts: the areas everything in Lyhty is counted by."""

from django.contrib.gis.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from geo.crs import CRS_CHOICES, NATIONAL_CRS
from geo.functions import ConcatWS


def chosen_language(by_language: dict) -> str | None:
    """The language whose text is shown: the active one when it has a text, else Finnish,
    then Swedish, then English; None when none has."""
    for code in ((get_language() or "fi")[:2], "fi", "sv", "en"):
        if by_language.get(code):
            return code
    return None


def pick_language(fi: str, sv: str, en: str) -> str:
    """The text in the active language, falling back to Finnish, then to whatever exists."""
    by_language = {"fi": fi, "sv": sv, "en": en}
    return by_language.get(chosen_language(by_language), "")


class Country(models.TextChoices):
    FINLAND = "FI", _("Finland")
    SWEDEN = "SE", _("Sweden")


class Municipality(models.Model):
    code = models.CharField(
        _("official code"),
        max_length=10,
        unique=True,
        help_text=_("Statistics Finland or SCB code, e.g. 091 Helsinki, 0163 Sollentuna."),
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    name_fi = models.CharField(_("name in Finnish"), max_length=100, blank=True)
    name_sv = models.CharField(_("name in Swedish"), max_length=100, blank=True)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    national_srid = models.PositiveIntegerField(
        _("national coordinate system"),
        choices=CRS_CHOICES,
        help_text=_("Grids, distances and areas are computed in this system."),
    )
    geom = models.MultiPolygonField(_("boundary"), srid=4326)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="municipality_geom_valid"),
            models.CheckConstraint(
                condition=Q(country__in=Country.values), name="municipality_country_known"
            ),
            models.CheckConstraint(
                condition=Q(national_srid__in=[srid for srid, _label in CRS_CHOICES]),
                name="municipality_srid_national",
            ),
            models.CheckConstraint(
                condition=~Q(name_fi="") | ~Q(name_sv="") | ~Q(name_en=""),
                name="municipality_has_name",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def name(self) -> str:
        return pick_language(self.name_fi, self.name_sv, self.name_en)

    def save(self, *args, **kwargs):
        if not self.national_srid:
            self.national_srid = NATIONAL_CRS[self.country]
        super().save(*args, **kwargs)


class DistrictQuerySet(models.QuerySet):
    def covering(self, point):
        """Districts whose area, boundary included, holds the point."""
        return self.filter(geom__covers=point)


class District(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="districts",
        verbose_name=_("municipality"),
    )
    code = models.CharField(_("code"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=100)
    name_sv = models.CharField(_("name in Swedish"), max_length=100, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    geom = models.MultiPolygonField(_("boundary"), srid=4326)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["municipality", "code", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="district_geom_valid"),
            models.UniqueConstraint(
                fields=["municipality", "code"],
                condition=~Q(code=""),
                name="district_code_unique_in_municipality",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "")[:2] == "sv" and self.name_sv:
            return self.name_sv
        return self.name


class AddressQuerySet(models.QuerySet):
    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)


def address_label(path: str = ""):
    """An address as one line of text in the active language, e.g. "Mannerheimintie 12,
    00100" (the Swedish street name for a Swedish reader where the file had one); NULL
    where there is none. `path` leads to the address, e.g. "address__" from an observation.
    Address.label says the same in Python.
    """
    street = F(f"{path}street")
    if (get_language() or "")[:2] == "sv":
        street = Coalesce(NullIf(F(f"{path}street_sv"), Value("")), street)
    line = ConcatWS(Value(" "), street, NullIf(F(f"{path}number"), Value("")))
    return NullIf(ConcatWS(Value(", "), line, NullIf(F(f"{path}postcode"), Value(""))), Value(""))


class Address(models.Model):
    """An address point (or a building's point) of a national address file.

    Observations get the nearest one within ADDRESS_MAX_DISTANCE_M from PostGIS (walks
    migration 0009), on every write of theirs and whenever addresses change.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("municipality"),
    )
    street = models.CharField(_("street"), max_length=200)
    street_sv = models.CharField(_("street in Swedish"), max_length=200, blank=True)
    number = models.CharField(_("number"), max_length=40, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    geom = models.PointField(_("location"), srid=4326)

    objects = AddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["municipality", "street", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="address_geom_valid"),
            models.CheckConstraint(condition=~Q(street=""), name="address_has_street"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        street = self.street
        if (get_language() or "")[:2] == "sv" and self.street_sv:
            street = self.street_sv
        line = f"{street} {self.number}".strip()
        return f"{line}, {self.postcode}" if self.postcode else line
