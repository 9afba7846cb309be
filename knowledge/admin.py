# SPDX-License-Identifier: EUPL-1.2
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from knowledge.indicators import series
from knowledge.models import AreaStatistic, Incident, Indicator, IndicatorValue
from walks.filters import FilterError


@admin.register(Incident)
class IncidentAdmin(LeafletGeoAdmin):
    list_display = ["kind", "date", "year", "count", "district", "source", "municipality"]
    list_filter = ["kind", "year", "municipality", "source"]
    list_select_related = ["district", "municipality"]
    readonly_fields = ["district"]


@admin.register(AreaStatistic)
class AreaStatisticAdmin(admin.ModelAdmin):
    list_display = ["district", "name", "year", "value", "source"]
    list_filter = ["name", "year", "district__municipality"]
    list_select_related = ["district"]


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "district", "municipality"]
    list_filter = ["kind", "municipality"]
    search_fields = ["name"]
    readonly_fields = ["yearly_series"]
    inlines = [IndicatorValueInline]

    @admin.display(description=_("yearly series"))
    def yearly_series(self, indicator):
        if indicator.pk is None:
            return "—"
        try:
            values = series(indicator)
        except FilterError as error:
            return str(error)
        return ", ".join(f"{year}: {value:g}" for year, value in values.items()) or "—"
