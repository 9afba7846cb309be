# SPDX-License-Identifier: EUPL-1.2
"""Management commands speak the operator's language.

Run from the command line (`manage.py …`, help included), every command of the project
speaks the first of Finnish, Swedish and English named by the POSIX locale variables, in
gettext's order: `LANGUAGE` (a list such as `sv:en`), `LC_ALL`, `LC_MESSAGES`, `LANG`
(`sv_FI.UTF-8` counts as Swedish). When none names one of them (unset, or `C.UTF-8`),
Finnish, the site's LANGUAGE_CODE. Called from Python (`call_command`), a command speaks
the language already active, as any other code does.
"""

import os
from collections.abc import Mapping

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def operator_language(environ: Mapping[str, str] | None = None) -> str:
    """The site language the locale variables name first, else LANGUAGE_CODE."""
    environ = os.environ if environ is None else environ
    supported = {code for code, _name in settings.LANGUAGES}
    for variable in LOCALE_VARIABLES:
        for entry in environ.get(variable, "").split(":"):
            # language[_territory][.codeset][@modifier], e.g. sv_FI.UTF-8@euro
            language = entry.split("@")[0].split(".")[0].split("_")[0].lower()
            if language in supported:
                return language
    return settings.LANGUAGE_CODE


class LocalizedCommand(BaseCommand):
    """A command whose help, output and errors follow the operator's locale."""

    def run_from_argv(self, argv):
        with translation.override(operator_language()):
            super().run_from_argv(argv)

    def print_help(self, prog_name, subcommand):
        with translation.override(operator_language()):
            super().print_help(prog_name, subcommand)
