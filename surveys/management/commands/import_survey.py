# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_survey ANSWERS.csv --survey SLUG [--places PLACES.geojson]`."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from geo.management.language import LocalizedCommand
from surveys.importer import SurveyImportError, import_survey
from surveys.models import Survey


class Command(LocalizedCommand):
    @property
    def help(self):
        return _(
            "Import a survey's answers collected elsewhere: a CSV with a row per response and a "
            "column per question (as the survey's export), and optionally a GeoJSON of the "
            "places marked on the map. Everything is checked first; on any error nothing is "
            "stored."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("the CSV file of answers"))
        parser.add_argument("--survey", required=True, help=_("the survey's address (slug)"))
        parser.add_argument("--places", help=_("a GeoJSON file of the places marked on the map"))

    def handle(self, *args, **options):
        survey = Survey.objects.answerable().filter(slug=options["survey"]).first()
        if survey is None:
            raise CommandError(_("There is no survey %(slug)s.") % {"slug": options["survey"]})

        def progress(done, total):
            self.stdout.write(
                _("Checked %(done)s of %(total)s rows.") % {"done": done, "total": total}
            )

        try:
            report = import_survey(survey, options["path"], options["places"], progress=progress)
        except SurveyImportError as error:
            for line in error.errors:
                self.stderr.write(line)
            raise CommandError(_("Nothing was imported.")) from error
        except OSError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Imported %(responses)s responses with %(places)s places on the map "
                "(%(observations)s of them as observations)."
            )
            % {
                "responses": report.responses,
                "places": report.places,
                "observations": report.observations,
            }
        )
