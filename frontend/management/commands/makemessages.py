# SPDX-License-Identifier: EUPL-1.2
"""Django's makemessages, also finding the plural pairs given to frontend.strings.counted."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=counted:1,2"]
