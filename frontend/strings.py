# SPDX-License-Identifier: EUPL-1.2
"""Strings handed to a page's JavaScript."""

from django.utils.translation import ngettext


def counted(singular: str, plural: str) -> list[str]:
    """Both forms of a "%(count)s …" string in the active language, for the page to pick.

    Finnish, Swedish and English each have two forms, the first for exactly one; the
    pages' `say`/`format` pick by the `count` they are given.
    """
    return [ngettext(singular, plural, 1), ngettext(singular, plural, 2)]
