# SPDX-License-Identifier: EUPL-1.2
"""Personal data: what Lyhty keeps about people, for how long, and one person's copy or erasure.

Each kind of personal data is one entry of KINDS: its name for the privacy page, its
retention setting (days, from the environment: RETENTION_DAYS in settings) and how the rows
past it are found and made anonymous. `apply_retention` runs them all (daily, from cron;
running it twice changes nothing the second time). The privacy page of each municipality is
written from the same list, so it cannot promise what the code does not do.

Observations themselves (place, time, category, description, photos with their metadata
stripped) are the municipality's findings, not data about a person: they stay, without the
name of whoever logged them once the name's retention has passed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from walks.models import (
    AuditAction,
    AuditEvent,
    Moderation,
    Observation,
    ParticipantTrack,
    Photo,
    ResidentReport,
    WalkParticipant,
    new_participant_key,
)


@dataclass(frozen=True)
class Kind:
    code: str  # the key of settings.RETENTION_DAYS
    name: Promise
    purpose: Promise
    after_retention: Promise  # what happens then, for the privacy page
    expired: Callable  # (cutoff datetime) -> QuerySet of rows past retention, not yet anonymised
    anonymise: Callable  # (QuerySet) -> number of rows made anonymous or removed

    @property
    def days(self) -> int:
        return settings.RETENTION_DAYS[self.code]


KINDS = [
    Kind(
        code="participant_names",
        name=_("Walk participants' display names"),
        purpose=_("Shown to the walk's organisers, so that they know who logged what."),
        after_retention=_("The name is removed; the observations stay, without it."),
        expired=lambda cutoff: WalkParticipant.objects.filter(walk__ends_at__lt=cutoff).exclude(
            display_name=""
        ),
        anonymise=lambda rows: rows.update(display_name=""),
    ),
    Kind(
        code="participant_tracks",
        name=_("Routes recorded by participants' phones (only if they chose to record)"),
        purpose=_("The walk's route on the protocol and the map."),
        after_retention=_("Each participant's route is deleted; the walk keeps its joined route."),
        expired=lambda cutoff: ParticipantTrack.objects.filter(
            participant__walk__ends_at__lt=cutoff
        ),
        anonymise=lambda rows: rows.delete()[0],
    ),
    Kind(
        code="resident_emails",
        name=_("Email addresses residents gave for updates on their reports"),
        purpose=_("A short message when the report's status changes."),
        after_retention=_("The address is removed; no more messages are sent."),
        expired=lambda cutoff: ResidentReport.objects.filter(created_at__lt=cutoff).exclude(
            email=""
        ),
        anonymise=lambda rows: rows.update(email="", notify=False),
    ),
    Kind(
        code="follow_up_links",
        name=_("Residents' private follow-up links"),
        purpose=_("The resident follows their report without an account."),
        after_retention=_("The link stops working; the report stays, without it."),
        expired=lambda cutoff: ResidentReport.objects.filter(created_at__lt=cutoff),
        anonymise=lambda rows: rows.delete()[0],
    ),
    Kind(
        code="rejected_photos",
        name=_("Photos of rejected reports"),
        purpose=_("Kept for a while in case the decision is questioned."),
        after_retention=_("The photos are deleted, files included."),
        expired=lambda cutoff: Photo.objects.filter(
            observation__moderation=Moderation.REJECTED, observation__updated_at__lt=cutoff
        ),
        anonymise=lambda rows: rows.delete()[0],
    ),
]


def apply_retention(now=None, progress=None) -> dict[str, int]:
    """Make anonymous whatever has passed its retention; {kind code: rows changed}."""
    now = now or timezone.now()
    changed = {}
    for kind in KINDS:
        with transaction.atomic():
            changed[kind.code] = kind.anonymise(kind.expired(now - timedelta(days=kind.days)))
        if progress:
            progress(kind, changed[kind.code])
    return changed


# --- one person's data ------------------------------------------------------------------


def participant_data(participant: WalkParticipant) -> dict:
    observations = Observation.objects.filter(participant=participant).order_by("observed_at")
    track = ParticipantTrack.objects.filter(participant=participant).first()
    return {
        "participant": {
            "walk": participant.walk.title,
            "display_name": participant.display_name,
            "group": participant.group,
            "joined_at": participant.joined_at.isoformat(),
        },
        "observations": [
            {
                "id": observation.pk,
                "category": observation.category.code,
                "observed_at": observation.observed_at.isoformat(),
                "lon": observation.geom.x,
                "lat": observation.geom.y,
                "description": observation.description,
                "photos": observation.photos.count(),
            }
            for observation in observations.select_related("category")
        ],
        "track": track.geom.coords if track else None,
    }


def user_data(user) -> dict:
    return {
        "account": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "observations_reported": list(
            Observation.objects.filter(reporter=user).order_by("pk").values_list("pk", flat=True)
        ),
    }


def report_data(report: ResidentReport) -> dict:
    observation = report.observation
    return {
        "received": report.created_at.isoformat(),
        "email": report.email,
        "language": report.language,
        "category": observation.category.code,
        "lon": observation.geom.x,
        "lat": observation.geom.y,
        "description": observation.description,
        "hidden_text": observation.hidden_text,
        "status": observation.status,
        "photos": observation.photos.count(),
    }


def find_person(*, email=None, participant_key=None) -> dict:
    """The records of one person: user accounts and residents' reports by email, a
    participant by their key."""
    found = {"users": [], "participants": [], "reports": []}
    if email:
        found["users"] = list(get_user_model().objects.filter(email__iexact=email.strip()))
        found["reports"] = list(
            ResidentReport.objects.select_related("observation__category").filter(
                email__iexact=email.strip()
            )
        )
    if participant_key:
        found["participants"] = list(
            WalkParticipant.objects.select_related("walk").filter(key=participant_key.strip())
        )
    return found


def export_person(found: dict) -> dict:
    with transaction.atomic():
        for record in [*found["users"], *found["participants"], *found["reports"]]:
            AuditEvent.record(
                AuditAction.PERSONAL_DATA_EXPORTED, by=None, target=record, label=f"#{record.pk}"
            )
        return {
            "users": [user_data(user) for user in found["users"]],
            "participants": [participant_data(p) for p in found["participants"]],
            "reports": [report_data(report) for report in found["reports"]],
        }


@transaction.atomic
def erase_person(found: dict) -> dict[str, int]:
    """Erase one person's data: accounts made anonymous and unusable, participants' names
    and recorded routes removed, their key replaced so that it stops working."""
    counts = {"users": 0, "participants": 0, "tracks": 0, "reports": 0, "photos": 0}
    for user in found["users"]:
        AuditEvent.record(
            AuditAction.PERSONAL_DATA_ERASED, by=None, target=user, label=f"#{user.pk}"
        )
        user.username = f"erased-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        counts["users"] += 1
    for participant in found["participants"]:
        AuditEvent.record(
            AuditAction.PERSONAL_DATA_ERASED,
            by=None,
            target=participant,
            label=f"#{participant.pk}",
        )
        counts["tracks"] += ParticipantTrack.objects.filter(participant=participant).delete()[0]
        participant.display_name = ""
        participant.key = new_participant_key()  # the old key stops working; nobody has this
        participant.save(update_fields=["display_name", "key"])
        counts["participants"] += 1
    for report in found["reports"]:
        # What the resident wrote and photographed goes; the place and category stay as
        # the municipality's finding, without a way back to them.
        observation = report.observation
        AuditEvent.record(
            AuditAction.PERSONAL_DATA_ERASED, by=None, target=report, label=f"#{report.pk}"
        )
        counts["photos"] += Photo.objects.filter(observation=observation).delete()[0]
        observation.description = observation.proposed_fix = observation.hidden_text = ""
        observation.save(update_fields=["description", "proposed_fix", "hidden_text"])
        report.delete()
        counts["reports"] += 1
    return counts
