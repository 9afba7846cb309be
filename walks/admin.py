# SPDX-License-Identifier: EUPL-1.2
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from walks import roles
from walks.models import (
    Category,
    Observation,
    ResponsibleUnit,
    SafetyWalk,
    Status,
    StatusChange,
    Theme,
    UserProfile,
)
from walks.roles import role_of


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fi", "name_sv", "name_en", "order"]
    list_editable = ["order"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_fi",
        "name_sv",
        "name_en",
        "theme",
        "default_unit",
        "open311_code",
        "is_positive",
        "is_sensitive",
        "active",
    ]
    list_filter = ["theme", "default_unit", "is_positive", "is_sensitive", "active"]
    search_fields = ["code", "name_fi", "name_sv", "name_en", "open311_code"]
    list_select_related = ["theme", "default_unit"]


@admin.register(ResponsibleUnit)
class ResponsibleUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fi", "name_sv", "name_en"]
    filter_horizontal = ["members"]


@admin.register(SafetyWalk)
class SafetyWalkAdmin(LeafletGeoAdmin):
    list_display = ["title", "municipality", "starts_at", "group", "state", "join_code"]
    list_filter = ["municipality", "state", "group", "theme"]
    search_fields = ["title", "join_code"]
    filter_horizontal = ["districts"]
    date_hierarchy = "starts_at"

    def get_readonly_fields(self, request, obj=None):
        # The QR code shows the join code: for planners and administrators only.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and roles.organises(role_of(request.user)):
            fields.append("join_qr")
        return fields

    @admin.display(description=_("QR code for joining"))
    def join_qr(self, obj):
        code = obj.join_code
        return format_html(
            '<img src="{}" width="200" height="200" alt="{}" class="walk-join-qr"><br>'
            '<a href="{}" class="walk-poster-link">{}</a>',
            reverse("walk-qr", kwargs={"code": code}),
            _("QR code that opens the walk's join page"),
            reverse("walk-poster", kwargs={"code": code}),
            _("Printable poster with the QR code"),
        )


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = [
        "changed_at",
        "from_status",
        "to_status",
        "from_unit",
        "to_unit",
        "changed_by",
        "note",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # History is written by status changes, never by hand.
        return False


class ObservationAdminForm(forms.ModelForm):
    class Meta:
        model = Observation
        fields = ["status"]  # the admin's fieldsets add the rest

    def clean_status(self):
        status = self.cleaned_data["status"]
        observation = self.instance
        if observation.pk and status != observation.status and not observation.can_move_to(status):
            raise forms.ValidationError(
                _("An observation cannot go from %(old)s to %(new)s."),
                params={"old": observation.get_status_display(), "new": Status(status).label},
            )
        return status

    def clean(self):
        """A duplicate names its original, in the same municipality; leaving `duplicate`
        lets go of it (as the API does), so the database's rule is met without a 500."""
        cleaned = super().clean()
        if "status" not in cleaned or "duplicate_of" not in self.fields:
            return cleaned
        status, original = cleaned["status"], cleaned.get("duplicate_of")
        if status != Status.DUPLICATE:
            if original is not None and self.instance.status == Status.DUPLICATE:
                cleaned["duplicate_of"] = original = None
            if original is not None:
                self.add_error(
                    "duplicate_of", _("Give the original only when the status is duplicate.")
                )
            return cleaned
        if original is None:
            self.add_error(
                "duplicate_of", _("Name the original: the id of the observation this repeats.")
            )
        elif self.instance.pk is not None and original.pk == self.instance.pk:
            self.add_error("duplicate_of", _("An observation cannot duplicate itself."))
        elif "municipality" in cleaned and original.municipality_id != cleaned["municipality"].pk:
            self.add_error("duplicate_of", _("The original must be in the same municipality."))
        return cleaned


@admin.register(Observation)
class ObservationAdmin(LeafletGeoAdmin):
    form = ObservationAdminForm
    list_display = [
        "id",
        "category",
        "status",
        "municipality",
        "district",
        "place",
        "walk",
        "severity",
        "light_condition",
        "observed_at",
    ]
    list_filter = [
        "municipality",
        "district",
        "category__theme",
        "category",
        "status",
        "walk",
        "light_condition",
        "is_positive",
        "visibility",
        "source",
        "moderation",
        "responsible_unit",
    ]
    search_fields = ["uuid", "description", "proposed_fix", "address__street"]
    list_select_related = ["category", "municipality", "district", "walk", "address"]
    readonly_fields = [
        "uuid",
        "district",
        "place",
        "created_at",
        "updated_at",
        "support_count",
        "hidden_text",
    ]
    raw_id_fields = ["duplicate_of", "reporter"]
    date_hierarchy = "observed_at"
    inlines = [StatusChangeInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "municipality",
                    "walk",
                    "category",
                    "status",
                    "responsible_unit",
                    "visibility",
                    "duplicate_of",
                    "source",
                    "moderation",
                    "support_count",
                ]
            },
        ),
        (
            _("Place"),
            {
                "fields": [
                    "geom",
                    "stretch",
                    "accuracy_m",
                    "position_source",
                    "district",
                    "place",
                ]
            },
        ),
        (
            _("What was found"),
            {
                "fields": [
                    "severity",
                    "perceived_safety",
                    "is_positive",
                    "light_condition",
                    "description",
                    "proposed_fix",
                    "hidden_text",
                ]
            },
        ),
        (_("Record"), {"fields": ["uuid", "reporter", "observed_at", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("address"), ordering="address__street")
    def place(self, observation):
        return observation.place

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"status", "responsible_unit"} & set(form.changed_data):
            # The admin is one more way to move an observation along: it enters the history.
            StatusChange.objects.create(
                observation=obj,
                from_status=form.initial["status"],
                to_status=obj.status,
                from_unit_id=form.initial.get("responsible_unit"),
                to_unit=obj.responsible_unit,
                changed_by=request.user,
                note=_("Changed in the admin."),
            )


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    fields = ["municipality"]
    can_delete = False


# Django's user admin with Lyhty's profile (the default municipality) on the same page.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class LyhtyUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, UserProfileInline]
