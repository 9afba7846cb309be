# SPDX-License-Identifier: EUPL-1.2
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from geo.models import Municipality
from walks import roles
from walks.models import (
    AuditAction,
    AuditEvent,
    Category,
    Membership,
    Observation,
    ResponsibleUnit,
    SafetyWalk,
    Status,
    StatusChange,
    Theme,
    UserProfile,
)


class InTheirMunicipalities:
    """An admin that lists, and offers in its forms, only the municipalities where the
    user's role counts (walks.roles.municipalities_of); administrators see all.
    `municipality_path` leads from the model to its municipality."""

    municipality_path = "municipality"

    def scope(self, request):
        return roles.municipalities_of(request.user)

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        scope = self.scope(request)
        return rows if scope is None else rows.filter(**{f"{self.municipality_path}__in": scope})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = self.scope(request)
        related = db_field.related_model
        if scope is not None and related is Municipality:
            kwargs["queryset"] = related.objects.filter(pk__in=scope)
        elif scope is not None and any(f.name == "municipality" for f in related._meta.fields):
            kwargs["queryset"] = related.objects.filter(municipality__in=scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# A list filter offering only the municipalities (or districts, walks…) that are listed.
ONLY_LISTED = admin.RelatedOnlyFieldListFilter


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
class SafetyWalkAdmin(InTheirMunicipalities, LeafletGeoAdmin):
    list_display = ["title", "municipality", "starts_at", "group", "state", "join_code"]
    list_filter = [("municipality", ONLY_LISTED), "state", "group", "theme"]
    search_fields = ["title", "join_code"]
    filter_horizontal = ["districts"]
    date_hierarchy = "starts_at"

    def get_readonly_fields(self, request, obj=None):
        # The QR code shows the join code: for planners and administrators only.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and roles.organises(roles.role_in(request.user, obj.municipality_id)):
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
class ObservationAdmin(InTheirMunicipalities, LeafletGeoAdmin):
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
        ("municipality", ONLY_LISTED),
        ("district", ONLY_LISTED),
        "category__theme",
        "category",
        "status",
        ("walk", ONLY_LISTED),
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
            AuditEvent.record(
                AuditAction.STATUS,
                by=request.user,
                target=obj,
                status=[form.initial["status"], obj.status],
                unit=[form.initial.get("responsible_unit"), obj.responsible_unit_id],
            )
        if change and "visibility" in form.changed_data:
            AuditEvent.record(
                AuditAction.VISIBILITY,
                by=request.user,
                target=obj,
                visibility=[form.initial["visibility"], obj.visibility],
            )

    def delete_model(self, request, obj):
        AuditEvent.record(AuditAction.DELETED, by=request.user, target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for observation in queryset:
            AuditEvent.record(AuditAction.DELETED, by=request.user, target=observation)
        super().delete_queryset(request, queryset)


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    fields = ["municipality"]
    can_delete = False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["municipality", "role", "organisation_kind", "organisation"]
    autocomplete_fields = ["municipality"]
    extra = 0


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Who has which role where. Department staff's units are the user's responsible units
    (the units' page); the groups give the admin's permissions, a membership the place."""

    list_display = ["user", "municipality", "role", "organisation_kind", "organisation"]
    list_filter = ["role", "organisation_kind", ("municipality", ONLY_LISTED)]
    search_fields = [
        "user__username",
        "municipality__name_fi",
        "municipality__code",
        "organisation",
    ]
    autocomplete_fields = ["user", "municipality"]
    list_select_related = ["user", "municipality"]


# Django's user admin with Lyhty's profile (the default municipality) and the user's
# memberships (their roles, municipality by municipality) on the same page.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class LyhtyUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, UserProfileInline, MembershipInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail: administrators read it; nobody writes or removes it here."""

    list_display = ["at", "actor_name", "action", "target_type", "target_label", "municipality"]
    list_filter = ["action", "target_type", "municipality"]
    search_fields = ["actor_name", "target_label", "target_id"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
