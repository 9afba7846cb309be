# SPDX-License-Identifier: EUPL-1.2
"""`manage.py load_demo`: the demo municipality Lyhtylä, its walks, reports and users."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from demo.build import PASSWORD_VARIABLE, DemoError, load_demo
from geo.management.language import LocalizedCommand
from walks.models import WalkState
from walks.roles import Role


class Command(LocalizedCommand):
    @property
    def help(self):
        return _(
            "Build the demo municipality Lyhtylä with districts, three safety walks, about "
            "3,000 observations and a user for each role. The demo is the same on every run, "
            "and running it again creates nothing twice."
        )

    def handle(self, *args, **options):
        try:
            report = load_demo()
        except DemoError as error:
            raise CommandError(str(error)) from error
        created = report.created
        self.stdout.write(
            _(
                "Created — municipalities: %(municipality)s, districts: %(districts)s, "
                "walks: %(walks)s, observations: %(observations)s, status changes: "
                "%(status_changes)s, users: %(users)s."
            )
            % created
        )
        if not report.created_anything:
            self.stdout.write(_("Nothing was created: the demo municipality was already complete."))
        self.stdout.write(
            _("The demo has %(count)s observations, %(inside)s of them in a district.")
            % {"count": report.observations, "inside": report.observations_in_district}
        )

        self.stdout.write("")
        self.stdout.write(_("Walks — participants join with the code:"))
        for walk in report.walks:
            self.stdout.write(f"  {walk.join_code}  {walk.title} ({WalkState(walk.state).label})")

        self.stdout.write("")
        self.stdout.write(_("Users:"))
        for spec, was_created in report.users:
            if not was_created:
                password = _("(existed already; its password was left as it was)")
            elif report.password_from_environment:
                password = _("password from %(variable)s") % {"variable": PASSWORD_VARIABLE}
            else:
                password = _("password: %(password)s") % {"password": report.password}
            self.stdout.write(f"  {spec.username:<15} {Role(spec.role).label:<18} {password}")
        if not report.password_from_environment:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "These are demo accounts with a published password. Never load the "
                        "demo on a server others can reach, or set %(variable)s first."
                    )
                    % {"variable": PASSWORD_VARIABLE}
                )
            )
