# SPDX-License-Identifier: EUPL-1.2
"""Planners write surveys in the admin: questions with their options, and copy a survey for
the next round. Answers are read here, never changed: they are the residents'."""

import datetime

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from surveys.models import Option, Question, Response, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["order", "code", "kind", "text_fi", "text_sv", "text_en", "required", "positive"]
    extra = 0
    show_change_link = True


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["order", "code", "text_fi", "text_sv", "text_en", "category"]
    extra = 0


def a_year_later(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def free_slug(slug: str) -> str:
    """slug-copy, or slug-copy-2, -3… : the first that no survey has."""
    base = f"{slug[:50]}-copy"
    candidate, n = base, 1
    while Survey.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "opens_on", "closes_on", "is_template", "page"]
    list_filter = ["municipality", "is_template"]
    search_fields = ["title_fi", "title_sv", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title_fi"]}
    inlines = [QuestionInline]
    actions = ["copy"]

    @admin.display(description=_("page"))
    def page(self, obj):
        if obj.is_template:
            return "—"
        url = reverse("survey-page", kwargs={"slug": obj.slug})
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.action(description=_("Copy the selected surveys for the next year"))
    def copy(self, request, queryset):
        for survey in queryset:
            new = survey.copy(
                slug=free_slug(survey.slug),
                opens_on=a_year_later(survey.opens_on),
                closes_on=a_year_later(survey.closes_on),
            )
            self.message_user(
                request,
                _("Copied “%(survey)s” as /survey/%(slug)s/.")
                % {"survey": survey, "slug": new.slug},
                messages.SUCCESS,
            )


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "survey", "kind", "order"]
    list_filter = ["survey", "kind"]
    inlines = [OptionInline]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["pk", "survey", "home_district", "source", "submitted_at"]
    list_filter = ["survey", "source"]
    list_select_related = ["survey", "home_district"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
