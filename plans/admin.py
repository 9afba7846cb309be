# SPDX-License-Identifier: EUPL-1.2
"""The plan in the admin: texts in fi, sv and en, and publishing.

Every change saved here is a change to the working copy; the public reads the plan as
last published (plans.published) until a planner publishes it again, from the plan's
page ("Save and publish") or the plan list's action.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from plans.models import Action, CitizenPromise, PlanRevision, Priority, SafetyPlan
from plans.published import has_unpublished_changes
from walks.admin import ONLY_LISTED, InTheirMunicipalities

PUBLISH = "_publish"


def languages(*names) -> list[str]:
    return [f"{name}_{code}" for name in names for code in ("fi", "sv", "en")]


class DraftNotice:
    """After a save in a published plan: the change waits for the plan's publication."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        plan = obj if isinstance(obj, SafetyPlan) else obj.plan
        if plan.is_published and PUBLISH not in request.POST:
            messages.info(
                request,
                _(
                    "The change is a draft: the public sees the plan as last published "
                    "until a planner publishes it again."
                ),
            )


class PriorityInline(admin.StackedInline):
    model = Priority
    fields = ["order", "theme", "district", *languages("reason")]
    extra = 0


@admin.register(SafetyPlan)
class SafetyPlanAdmin(InTheirMunicipalities, DraftNotice, admin.ModelAdmin):
    list_display = [
        "title",
        "municipality",
        "period_start",
        "period_end",
        "state",
        "published_at",
        "unpublished_changes",
    ]
    list_filter = [("municipality", ONLY_LISTED), "state"]
    search_fields = languages("title", "summary")
    fieldsets = [
        (None, {"fields": ["municipality", "period_start", "period_end"]}),
        (_("Texts"), {"fields": languages("title", "summary")}),
        (_("Publication"), {"fields": ["state", "published_at", "last_published"]}),
    ]
    readonly_fields = ["state", "published_at", "last_published"]
    inlines = [PriorityInline]
    actions = ["publish"]
    change_form_template = "admin/plans/safetyplan/change_form.html"

    @admin.display(description=_("unpublished changes"), boolean=True)
    def unpublished_changes(self, plan):
        return has_unpublished_changes(plan)

    @admin.display(description=_("last published"))
    def last_published(self, plan):
        revision = plan.revisions.order_by("-published_at", "-pk").first()
        return revision.published_at if revision else "—"

    @admin.action(description=_("Publish the selected plans"), permissions=["change"])
    def publish(self, request, queryset):
        for plan in queryset:
            plan.publish(by=request.user)
        self.message_user(request, _("Published: the public now sees these plans as they are."))

    def response_change(self, request, obj):
        if PUBLISH in request.POST and self.has_change_permission(request, obj):
            obj.publish(by=request.user)
            self.message_user(request, _("Published: the public now sees the plan as it is."))
        return super().response_change(request, obj)


@admin.register(Priority)
class PriorityAdmin(InTheirMunicipalities, DraftNotice, admin.ModelAdmin):
    municipality_path = "plan__municipality"
    list_display = ["__str__", "plan", "theme", "district", "order"]
    list_filter = [("plan", ONLY_LISTED), "theme"]
    list_select_related = ["plan", "theme", "district"]
    fields = ["plan", "order", "theme", "district", *languages("reason")]


@admin.register(Action)
class ActionAdmin(InTheirMunicipalities, DraftNotice, LeafletGeoAdmin):
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
    search_fields = [*languages("title", "description"), "owner_name", "responsible_person"]
    list_select_related = ["plan"]
    raw_id_fields = ["observations", "created_by"]
    filter_horizontal = ["walks"]
    readonly_fields = ["source_filters", "created_at", "updated_at"]


@admin.register(CitizenPromise)
class CitizenPromiseAdmin(InTheirMunicipalities, DraftNotice, admin.ModelAdmin):
    municipality_path = "plan__municipality"
    list_display = ["title", "plan", "police"]
    list_filter = [("plan", ONLY_LISTED)]
    filter_horizontal = ["priorities"]


@admin.register(PlanRevision)
class PlanRevisionAdmin(admin.ModelAdmin):
    """Publications, for the record: made by publishing, never edited."""

    list_display = ["plan", "published_at", "published_by"]
    list_filter = ["plan"]
    fields = ["plan", "published_at", "published_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
