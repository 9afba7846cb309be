# SPDX-License-Identifier: EUPL-1.2
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from knowledge.models import AreaStatistic, Incident


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
