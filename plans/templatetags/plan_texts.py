# SPDX-License-Identifier: EUPL-1.2
"""`{% text action "title" %}`: a plan text in the reader's language, or in the language
it exists in, marked with `lang` and a note saying which language that is."""

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def language_note(code: str) -> str:
    return {
        "fi": _("(in Finnish)"),
        "sv": _("(in Swedish)"),
        "en": _("(in English)"),
    }.get(code, "")


@register.simple_tag
def text(obj, name: str, paragraphs: bool = False):
    """The text, escaped; as paragraphs (like |linebreaks) when asked."""
    value = getattr(obj, name)
    shown = linebreaks_filter(value, autoescape=True) if paragraphs else value
    if not value.fallback:
        return format_html("{}", shown) if not paragraphs else shown
    tag = "div" if paragraphs else "span"
    return format_html(
        '<{} lang="{}">{}</{}> <span class="fallback-note">{}</span>',
        tag,
        value.language,
        shown,
        tag,
        language_note(value.language),
    )
