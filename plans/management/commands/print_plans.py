# SPDX-License-Identifier: EUPL-1.2
"""`manage.py print_plans [--every SECONDS]`: the published plans' PDFs printed ahead of
their readers, once or in the background after every change."""

import time

from django.utils.translation import gettext as _

from geo.management.language import LocalizedCommand
from plans.views import refresh_prints


class Command(LocalizedCommand):
    @property
    def help(self):
        return _(
            "Print every municipality's published plan in every language unless its print "
            "for the current observations is cached. With --every, keep doing it every so "
            "many seconds, so that the first reader after a change finds the print made."
        )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=None, metavar="SECONDS")

    def handle(self, *args, every, **options):
        while True:
            printed = refresh_prints()
            if printed or every is None:
                self.stdout.write(_("%(count)d plan prints made.") % {"count": printed})
            if every is None:
                return
            time.sleep(every)
