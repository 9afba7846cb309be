# SPDX-License-Identifier: EUPL-1.2
"""`manage.py generate_observations --count N --municipality CODE`: a synthetic load."""

import secrets

from django.core.management.base import CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from demo.build import DemoError
from demo.load import LOAD_BATCH, generate_load
from geo.management.language import LocalizedCommand
from geo.models import Municipality


class Command(LocalizedCommand):
    @property
    def help(self):
        return _(
            "Add N synthetic resident reports, clustered inside one municipality and spread "
            "over the last three years, for benchmarks. The same seed gives the same rows, so "
            "repeating a run adds nothing; leave the seed out to add a fresh load."
        )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help=_("how many observations"))
        parser.add_argument(
            "--municipality", required=True, help=_("official code of the municipality, e.g. 091")
        )
        parser.add_argument("--seed", type=int, help=_("random seed; a new one when left out"))
        parser.add_argument(
            "--batch-size",
            type=int,
            default=LOAD_BATCH,
            help=_("rows per COPY and transaction (default %(default)s)"),
        )

    def handle(self, *args, **options):
        count, code, batch_size = options["count"], options["municipality"], options["batch_size"]
        if count <= 0:
            raise CommandError(
                _("--count must be a positive whole number, not %(count)s.") % {"count": count}
            )
        if batch_size <= 0:
            raise CommandError(
                _("--batch-size must be a positive whole number, not %(size)s.")
                % {"size": batch_size}
            )
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            known = ", ".join(Municipality.objects.values_list("code", flat=True)) or "—"
            raise CommandError(
                _("There is no municipality with the code %(code)r. Known codes: %(known)s.")
                % {"code": code, "known": known}
            )
        seed = options["seed"] if options["seed"] is not None else secrets.randbelow(10**9)
        self.stdout.write(
            _("Generating %(count)s observations in %(municipality)s with seed %(seed)s.")
            % {"count": self.number(count), "municipality": municipality, "seed": seed}
        )

        def progress(report, made):
            if options["verbosity"]:
                self.stdout.write(
                    _("  %(made)s / %(count)s rows, %(seconds).1f s")
                    % {
                        "made": self.number(made),
                        "count": self.number(count),
                        "seconds": report.seconds,
                    }
                )

        try:
            report = generate_load(
                municipality, count, seed=seed, batch_size=batch_size, on_batch=progress
            )
        except DemoError as error:
            raise CommandError(str(error)) from error

        skipped = count - report.inserted
        self.stdout.write(
            _(
                "Inserted %(inserted)s observations in %(seconds).1f s (%(rate)s rows/s); "
                "%(with_district)s of them got a district (%(share).1f %%)."
            )
            % {
                "inserted": self.number(report.inserted),
                "seconds": report.seconds,
                "rate": self.number(round(report.rows_per_second)),
                "with_district": self.number(report.with_district),
                "share": 100 * report.with_district / report.inserted if report.inserted else 0,
            }
        )
        if skipped:
            self.stdout.write(
                _("%(skipped)s were already there from an earlier run with seed %(seed)s.")
                % {"skipped": self.number(skipped), "seed": seed}
            )

    @staticmethod
    def number(value: int) -> str:
        return number_format(value, force_grouping=True)
