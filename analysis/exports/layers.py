# SPDX-License-Identifier: EUPL-1.2
"""What is in each layer of an export: its rows, its columns (as Django expressions, in the
export's language) and the filters it takes. Never anything that says who reported a point.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.gis.db.models import MultiLineStringField
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.translation import get_language

from geo.models import District, address_label
from walks.filters import FILTERS
from walks.models import (
    UNPUBLISHED_MODERATION,
    LightCondition,
    ParticipantGroup,
    SafetyWalk,
    Source,
    Status,
    Visibility,
    WalkState,
)
from walks.models import Observation as ObservationModel

LANGUAGES = ("fi", "sv", "en")
TEXT, NUMBER, BOOLEAN, TIMESTAMP = "text", "number", "boolean", "timestamp"


@dataclass(frozen=True)
class Column:
    name: str  # in every format but the Shapefile
    short: str  # the Shapefile's, at most ten characters
    value: object  # a Django expression, made in the export's language
    kind: str = TEXT


def language() -> str:
    code = (get_language() or "fi")[:2]
    return code if code in LANGUAGES else "fi"


def translated_name(path: str = "") -> Coalesce:
    """name_fi/name_sv/name_en in the active language, falling back like pick_language."""
    order = [language(), *(code for code in LANGUAGES if code != language())]
    return Coalesce(*(NullIf(F(f"{path}name_{code}"), Value("")) for code in order))


def district_name(path: str = ""):
    if language() == "sv":
        return Coalesce(NullIf(F(f"{path}name_sv"), Value("")), F(f"{path}name"))
    return F(f"{path}name")


def label(field: str, choices) -> Case:
    """A choice's label in the active language; blank or unknown values become empty."""
    whens = [When(**{field: value}, then=Value(str(text))) for value, text in choices]
    return Case(*whens, default=Value(None), output_field=CharField())


def text(field: str) -> Cast:
    return Cast(F(field), CharField())


def published_text(field: str) -> Case:
    """A resident's text only once moderation let it through: never a report's that waits
    for moderation or was rejected (hidden text is out of the field already)."""
    return Case(
        When(moderation__in=UNPUBLISHED_MODERATION, then=Value("")),
        default=F(field),
        output_field=CharField(),
    )


class Layer:
    name = ""
    model = None
    geometry_type = ""
    label_column = ""  # the feature's name in KML
    # Filter name (of walks.filters) -> (queryset, parsed value) -> queryset.
    filters: dict = {}

    def rows(self, filters: Mapping, municipalities=None) -> QuerySet:
        """The rows the filters choose, of these municipalities' ids only (None: all)."""
        rows = self.model.objects.all()
        if municipalities is not None:
            rows = rows.filter(municipality__in=municipalities)
        for name, value in filters.items():
            if name in self.filters:
                rows = self.filters[name](rows, value)
        return rows

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def geometry(self):
        return F("geom")


class Observations(Layer):
    name = "observations"
    model = ObservationModel
    geometry_type = "POINT"
    label_column = "category"
    # Every filter of the observation list (walks.filters), meaning the same.
    filters = {name: each.apply for name, each in FILTERS.items()}

    def columns(self):
        # Never the reporter, the participant or anything else that says who logged it.
        return [
            Column("id", "id", F("id"), NUMBER),
            Column("uuid", "uuid", text("uuid")),
            Column("category", "category", translated_name("category__")),
            Column("category_code", "cat_code", F("category__code")),
            Column("theme", "theme", translated_name("category__theme__")),
            Column("status", "status", label("status", Status.choices)),
            Column("severity", "severity", F("severity"), NUMBER),
            Column("perceived_safety", "safety", F("perceived_safety"), NUMBER),
            Column("positive", "positive", F("is_positive"), BOOLEAN),
            Column("light", "light", label("light_condition", LightCondition.choices)),
            Column("description", "descr", published_text("description")),
            Column("proposed_fix", "proposal", published_text("proposed_fix")),
            Column("address", "address", address_label("address__")),
            Column("district", "district", district_name("district__")),
            Column("district_id", "distr_id", F("district_id"), NUMBER),
            Column("municipality", "municipal", translated_name("municipality__")),
            Column("municipality_code", "muni_code", F("municipality__code")),
            Column("walk", "walk", F("walk__title")),
            Column("walk_id", "walk_id", F("walk_id"), NUMBER),
            Column("source", "source", label("source", Source.choices)),
            Column("responsible_unit", "unit", translated_name("responsible_unit__")),
            Column("visibility", "visibility", label("visibility", Visibility.choices)),
            Column("accuracy_m", "accuracy_m", F("accuracy_m"), NUMBER),
            Column("observed_at", "observed", F("observed_at"), TIMESTAMP),
            Column("updated_at", "updated", F("updated_at"), TIMESTAMP),
        ]


class Stretches(Observations):
    """The observations drawn as a line (a dark stretch of path), as that line, in the
    direction it was drawn; the same columns and filters as the observations."""

    name = "stretches"
    geometry_type = "LINESTRING"

    def rows(self, filters, municipalities=None):
        return super().rows(filters, municipalities).filter(stretch__isnull=False)

    def geometry(self):
        return F("stretch")


class Walks(Layer):
    name = "walks"
    model = SafetyWalk
    geometry_type = "MULTILINESTRING"
    label_column = "title"
    filters = {
        "municipality": lambda rows, m: rows.filter(municipality=m),
        "district": lambda rows, d: rows.filter(districts=d),
        "theme": lambda rows, codes: rows.filter(theme__code__in=codes),
        "walk": lambda rows, w: rows.filter(pk=w.pk),
        # A walk counts if any of it falls in the period.
        "observed_after": lambda rows, t: rows.filter(ends_at__gt=t),
        "observed_before": lambda rows, t: rows.filter(starts_at__lt=t),
    }

    def columns(self):
        # Never the join code (it lets anyone log points on the walk) or the participants.
        districts = (
            District.objects.filter(walks=OuterRef("pk"))
            .order_by()
            .values("walks")
            .annotate(names=StringAgg(district_name(), ", ", order_by="name"))
            .values("names")
        )
        observations = (
            ObservationModel.objects.filter(walk=OuterRef("pk"))
            .order_by()
            .values("walk")
            .annotate(n=Count("*"))
            .values("n")
        )
        return [
            Column("id", "id", F("id"), NUMBER),
            Column("title", "title", F("title")),
            Column("municipality", "municipal", translated_name("municipality__")),
            Column("municipality_code", "muni_code", F("municipality__code")),
            Column("districts", "districts", Subquery(districts)),
            Column("theme", "theme", translated_name("theme__")),
            Column("group", "group", label("group", ParticipantGroup.choices)),
            Column("state", "state", label("state", WalkState.choices)),
            Column("starts_at", "starts", F("starts_at"), TIMESTAMP),
            Column("ends_at", "ends", F("ends_at"), TIMESTAMP),
            Column("observations", "obs_count", Coalesce(Subquery(observations), 0), NUMBER),
            Column(
                "recorded",
                "recorded",
                ExpressionWrapper(Q(track__isnull=False), output_field=BooleanField()),
                BOOLEAN,
            ),
            Column("follow_up_notes", "notes", F("follow_up_notes")),
        ]

    def geometry(self):
        # The recorded track where there is one, otherwise the planned route.
        route = Func(F("route"), function="ST_Multi", output_field=MultiLineStringField(srid=4326))
        return Coalesce(F("track"), route, output_field=MultiLineStringField(srid=4326))


class Districts(Layer):
    name = "districts"
    model = District
    geometry_type = "MULTIPOLYGON"
    label_column = "name"
    filters = {
        "municipality": lambda rows, m: rows.filter(municipality=m),
        "district": lambda rows, d: rows.filter(pk=d.pk),
    }

    def columns(self):
        return [
            Column("id", "id", F("id"), NUMBER),
            Column("code", "code", F("code")),
            Column("name", "name", district_name()),
            Column("municipality", "municipal", translated_name("municipality__")),
            Column("municipality_code", "muni_code", F("municipality__code")),
            Column("population", "population", F("population"), NUMBER),
        ]


LAYERS = {layer.name: layer for layer in (Observations(), Stretches(), Walks(), Districts())}
ALL_LAYERS = "all"  # every layer in one file, for formats that hold several


def layers_of(layer: str) -> list[Layer]:
    return list(LAYERS.values()) if layer == ALL_LAYERS else [LAYERS[layer]]
