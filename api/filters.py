# SPDX-License-Identifier: EUPL-1.2
"""Query parameters of the list endpoints: parsed, validated, then applied as ORM lookups.

Each list endpoint has a small serializer of its query parameters. It is also what the
OpenAPI document shows (drf-spectacular turns a serializer into query parameters). A
parameter the endpoint does not know is a 400 that names it, so a typo never silently
returns everything. The observation filters are walks.filters' vocabulary, each wrapped in
a FilterField: every endpoint that narrows observations inherits ObservationFilters.
"""

from django.db.models import F
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from walks.filters import FILTERS, FilterError, check_filters
from walks.models import WalkState

DEFAULT_LIMIT = 100
# A map view draws up to this many points at once; more than that, it asks for aggregates.
MAX_LIMIT = 10_000


@extend_schema_field(OpenApiTypes.STR)
class CommaListField(serializers.Field):
    """`a,b,c` → ["a", "b", "c"], each item checked by `child`."""

    def __init__(self, child, **kwargs):
        self.child = child
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        items = [item.strip() for item in str(data).split(",") if item.strip()]
        if not items:
            raise ValidationError(_("Give at least one value."))
        return [self.child.run_validation(item) for item in items]

    def to_representation(self, value):
        return ",".join(value)


class FilterField(serializers.Field):
    """One filter of walks.filters: its parser, help text and OpenAPI schema."""

    def __init__(self, name: str, **kwargs):
        self.filter = FILTERS[name]
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", self.filter.help)
        super().__init__(**kwargs)
        set_override(self, "field", self.filter.schema)

    def to_internal_value(self, data):
        try:
            return self.filter.parse(self.filter.name, str(data))
        except FilterError as error:
            raise ValidationError(str(error)) from error

    def to_representation(self, value):
        return str(value)


class ObservationFilters(serializers.Serializer):
    """Every filter of walks.filters, checked one by one and together."""

    def get_fields(self):
        # The vocabulary first; a subclass may declare one of them again (e.g. required).
        return {**{name: FilterField(name) for name in FILTERS}, **super().get_fields()}

    def validate(self, attrs):
        errors = check_filters(attrs)
        if errors:
            raise ValidationError({name: [message] for name, message in errors.items()})
        return attrs


class PagingParameters(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LIMIT,
        default=DEFAULT_LIMIT,
        help_text=_("Features per page (1–10000, default 100)."),
    )
    offset = serializers.IntegerField(
        min_value=0, max_value=10**9, default=0, help_text=_("Features to skip.")
    )


def read_query(request, parameters: type[serializers.Serializer]) -> dict:
    """The validated query parameters, or a 400 naming every unknown or bad one."""
    form = parameters()
    errors = {}
    query = {}
    for name, values in request.query_params.lists():
        if name not in form.fields:
            errors[name] = [_("Unknown query parameter.")]
        elif len(values) > 1:
            errors[name] = [_("Give this parameter once; separate several values with commas.")]
        else:
            query[name] = values[0]
    if errors:
        raise ValidationError(errors)
    # A plain dict, not the QueryDict: DRF reads a missing boolean in form data as false.
    form = parameters(data=query)
    form.is_valid(raise_exception=True)
    return form.validated_data


class MunicipalityParameters(PagingParameters):
    pass


class DistrictParameters(PagingParameters):
    municipality = serializers.CharField(
        required=False, max_length=10, help_text=_("Municipality code, e.g. 285.")
    )


class CategoryParameters(serializers.Serializer):
    theme = serializers.SlugField(required=False, help_text=_("Theme code."))


class WalkParameters(PagingParameters):
    municipality = serializers.CharField(
        required=False, max_length=10, help_text=_("Municipality code.")
    )
    state = CommaListField(
        child=serializers.ChoiceField(WalkState.choices),
        required=False,
        help_text=_("Walk states, comma-separated: planned, walking, follow_up, closed."),
    )


class ObservationParameters(PagingParameters, ObservationFilters):
    pass


# The list's sort orders: newest first by default; ties broken by id, so pages never overlap.
ORDERINGS = {
    "-observed_at": ("-observed_at", "-id"),
    "observed_at": ("observed_at", "id"),
    "-severity": (F("severity").desc(nulls_last=True), "-observed_at", "-id"),
    "-updated_at": ("-updated_at", "-id"),
}


class ObservationListParameters(ObservationParameters):
    ordering = serializers.ChoiceField(
        list(ORDERINGS),
        default="-observed_at",
        help_text=_(
            "Sort order: -observed_at (newest first), observed_at, -severity, -updated_at."
        ),
    )


def filter_walks(queryset, query: dict):
    if "municipality" in query:
        queryset = queryset.filter(municipality__code=query["municipality"])
    if "state" in query:
        queryset = queryset.filter(state__in=query["state"])
    return queryset
