# SPDX-License-Identifier: EUPL-1.2
"""`manage.py personal_data --email X | --participant KEY [--erase]`: one person's data."""

import json

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from geo.management.language import LocalizedCommand
from operations.personal_data import erase_person, export_person, find_person


class Command(LocalizedCommand):
    @property
    def help(self):
        return _(
            "Print one person's data as JSON (user accounts and residents' reports by email, a "
            "walk participant by their key), or with --erase remove it. Both are recorded in "
            "the audit trail."
        )

    def add_arguments(self, parser):
        parser.add_argument("--email", help=_("the person's email address"))
        parser.add_argument("--participant", help=_("a walk participant's key"))
        parser.add_argument("--erase", action="store_true", help=_("erase instead of printing"))

    def handle(self, *args, email, participant, erase, **options):
        if not email and not participant:
            raise CommandError(_("Give --email or --participant."))
        found = find_person(email=email, participant_key=participant)
        if not any(found.values()):
            raise CommandError(_("Nothing is stored about this person."))
        if erase:
            counts = erase_person(found)
            self.stdout.write(
                _(
                    "Erased: %(users)d accounts made anonymous, %(participants)d participants' "
                    "names and keys removed, %(tracks)d recorded routes deleted, %(reports)d "
                    "residents' reports stripped of their text, contact and link, %(photos)d "
                    "photos deleted."
                )
                % counts
            )
            return
        self.stdout.write(
            json.dumps(export_person(found), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
