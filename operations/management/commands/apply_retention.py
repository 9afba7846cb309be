# SPDX-License-Identifier: EUPL-1.2
"""`manage.py apply_retention`: remove or make anonymous the personal data past its time."""

from django.utils.translation import gettext as _

from geo.management.language import LocalizedCommand
from operations.personal_data import apply_retention


class Command(LocalizedCommand):
    @property
    def help(self):
        return _(
            "Remove or make anonymous the personal data kept longer than its retention "
            "(RETENTION_*_DAYS). Run it daily; a second run changes nothing."
        )

    def handle(self, *args, verbosity, **options):
        def progress(kind, count):
            if verbosity:
                self.stdout.write(
                    _("%(kind)s (kept %(days)d days): %(count)d changed.")
                    % {"kind": kind.name, "days": kind.days, "count": count}
                )

        changed = apply_retention(progress=progress)
        self.stdout.write(
            _("Retention applied: %(count)d records changed.") % {"count": sum(changed.values())}
        )
