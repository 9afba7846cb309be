# SPDX-License-Identifier: EUPL-1.2
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from plans.models import Action, CitizenPromise, Priority, SafetyPlan
from walks.admin import ONLY_LISTED, InTheirMunicipalities


class PriorityInline(admin.TabularInline):
    model = Priority
    fields = ["order", "theme", "district", "reason"]
    extra = 0


@admin.register(SafetyPlan)
class SafetyPlanAdmin(InTheirMunicipalities, admin.ModelAdmin):
    list_display = ["title", "municipality", "period_start", "period_end", "state", "published_at"]
    list_filter = [("municipality", ONLY_LISTED), "state"]
    search_fields = ["title", "summary"]
    inlines = [PriorityInline]
    actions = ["publish"]

    @admin.action(description=_("Publish the selected plans"))
    def publish(self, request, queryset):
        for plan in queryset:
            plan.publish()


@admin.register(Priority)
class PriorityAdmin(InTheirMunicipalities, admin.ModelAdmin):
    municipality_path = "plan__municipality"
    list_display = ["__str__", "plan", "theme", "district", "order"]
    list_filter = [("plan", ONLY_LISTED), "theme"]
    list_select_related = ["plan", "theme", "district"]


@admin.register(Action)
class ActionAdmin(InTheirMunicipalities, LeafletGeoAdmin):
    municipality_path = "plan__municipality"
    list_display = [
        "title",
        "plan",
        "year",
        "owner_kind",
        "owner_name",
        "deadline",
        "status",
    ]
    list_filter = [("plan", ONLY_LISTED), "year", "status", "owner_kind"]
    search_fields = ["title", "description", "owner_name", "responsible_person"]
    list_select_related = ["plan"]
    raw_id_fields = ["observations", "created_by"]
    filter_horizontal = ["walks"]
    readonly_fields = ["source_filters", "created_at", "updated_at"]


@admin.register(CitizenPromise)
class CitizenPromiseAdmin(InTheirMunicipalities, admin.ModelAdmin):
    municipality_path = "plan__municipality"
    list_display = ["title", "plan", "police"]
    list_filter = [("plan", ONLY_LISTED)]
    filter_horizontal = ["priorities"]
