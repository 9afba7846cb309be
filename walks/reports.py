# SPDX-License-Identifier: EUPL-1.2
"""Residents' reports: receiving one, "this is the same", moderation and telling the resident.

A report is an Observation with source `resident` and moderation `pending`, stored
internal: nothing of it reaches the public (visible_to_public), an export or another
resident until department staff or a planner accepts it. Moderation then

- accepts it: public (unless its category is sensitive), as the resident wrote it;
- hides its text: public, but its description and proposed fix move to `hidden_text`,
  which no API, export or page reads, so no surface can leak them;
- rejects it, with a reason for the resident (status rejected, never public);
- marks it a duplicate of another observation, which gains a supporter.

The resident follows it with an unguessable token (ResidentReport.token) and, if they left
an email address, gets a short message in their language at every status change, with a
link to stop them.
"""

import logging

from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from walks.models import (
    OPEN_STATUSES,
    AuditAction,
    AuditEvent,
    Category,
    Moderation,
    Observation,
    ResidentReport,
    Status,
    Support,
    Visibility,
)

logger = logging.getLogger(__name__)

# How far to look, in degrees of latitude, for a bounding-box prefilter that can use the
# spatial index before the exact distance on the sphere: 1° of latitude is ~111 km.
METRES_PER_DEGREE = 111_000


class ModerationError(ValueError):
    """A moderation step that cannot be taken; the message says why."""


def same_reports_nearby(category: Category, point: Point, *, limit: int = 10):
    """Open public observations of the category's theme within its duplicate distance,
    nearest first: what a resident is offered to support instead of reporting again."""
    metres = category.duplicate_distance_m
    # Longitude degrees shrink towards the poles; 2× covers Finland and Sweden.
    box = point.buffer(2 * metres / METRES_PER_DEGREE)
    return (
        Observation.objects.visible_to_public()
        .filter(category__theme_id=category.theme_id, status__in=OPEN_STATUSES)
        .filter(geom__intersects=box, geom__distance_lte=(point, D(m=metres)))
        .order_by("id")
        .select_related("category")[:limit]
    )


def add_support(observation: Observation, support_uuid) -> bool:
    """Count one more supporter, once per UUID; True when this call counted it."""
    try:
        with transaction.atomic():
            Support.objects.create(uuid=support_uuid, observation=observation)
    except IntegrityError:
        return False
    Observation.objects.filter(pk=observation.pk).update(support_count=F("support_count") + 1)
    return True


# --- moderation ---------------------------------------------------------------------------


def _publish(observation: Observation) -> str:
    return Visibility.INTERNAL if observation.category.is_sensitive else Visibility.PUBLIC


def moderate(observation: Observation, action: str, *, by=None, reason="", duplicate_of=None):
    """Take one moderation step on a resident's report (see the module's docstring), on
    the audit trail."""
    change = _moderate(observation, action, by=by, reason=reason, duplicate_of=duplicate_of)
    AuditEvent.record(
        AuditAction.MODERATED,
        by=by,
        target=observation,
        step=action,
        moderation=observation.moderation,
    )
    return change


def _moderate(observation, action, *, by, reason, duplicate_of):
    if observation.moderation == Moderation.NONE:
        raise ModerationError(_("Only residents' reports are moderated."))
    closed = observation.status in (Status.REJECTED, Status.DUPLICATE)
    if observation.moderation == Moderation.REJECTED or closed:
        # Publishing it again goes through the workflow first (back to new), which the
        # history records; then it is moderated like a new report.
        raise ModerationError(_("This report was rejected or is a duplicate: reopen it first."))
    if action == "accept":
        observation.moderation = Moderation.ACCEPTED
        observation.visibility = _publish(observation)
        note = _("Accepted.")
    elif action == "hide_text":
        parts = [observation.hidden_text, observation.description, observation.proposed_fix]
        observation.hidden_text = "\n\n".join(part for part in parts if part)
        observation.description = observation.proposed_fix = ""
        observation.moderation = Moderation.TEXT_HIDDEN
        observation.visibility = _publish(observation)
        note = _("Accepted; the text is not published.")
    elif action == "reject":
        if not reason.strip():
            raise ModerationError(_("Give the reason for the resident."))
        if not observation.can_move_to(Status.REJECTED):
            raise ModerationError(_("This report cannot be rejected any more."))
        observation.moderation = Moderation.REJECTED
        observation.visibility = Visibility.INTERNAL
        observation.save(update_fields=["moderation", "visibility", "updated_at"])
        return observation.change_status(Status.REJECTED, by=by, note=reason.strip())

    elif action == "duplicate":
        if duplicate_of is None:
            raise ModerationError(_("Name the observation this one repeats."))
        observation.moderation = Moderation.ACCEPTED
        observation.save(update_fields=["moderation", "updated_at"])
        change = observation.change_status(Status.DUPLICATE, by=by, duplicate_of=duplicate_of)
        Observation.objects.filter(pk=duplicate_of.pk).update(support_count=F("support_count") + 1)
        return change
    else:
        raise ModerationError(_("Unknown moderation action."))
    observation.save(
        update_fields=[
            "moderation",
            "visibility",
            "description",
            "proposed_fix",
            "hidden_text",
            "updated_at",
        ]
    )
    # The same status, recorded: the history says who accepted it and when.
    return observation.change_status(observation.status, by=by, note=note)


# --- telling the resident -----------------------------------------------------------------


def follow_up_url(report: ResidentReport) -> str:
    return settings.SITE_URL + reverse("report-follow-up", args=[report.token])


def unsubscribe_url(report: ResidentReport) -> str:
    return settings.SITE_URL + reverse("report-unsubscribe", args=[report.token])


def tell_reporter(observation: Observation, change) -> None:
    """After the commit, email the resident who asked for updates about a status change."""
    report = ResidentReport.objects.filter(observation_id=observation.pk, notify=True).first()
    if report is None or not report.email:
        return
    transaction.on_commit(lambda: _send(report, change.to_status))


def _send(report: ResidentReport, status: str) -> None:
    with translation.override(report.language):
        subject = _("Your report is now: %(status)s") % {"status": Status(status).label}
        body = "\n\n".join(
            [
                _("The status of your report changed to: %(status)s.")
                % {"status": Status(status).label},
                _("Follow it here: %(url)s") % {"url": follow_up_url(report)},
                _("No more messages about this report: %(url)s") % {"url": unsubscribe_url(report)},
            ]
        )
    try:
        send_mail(subject, body, None, [report.email])
    except OSError:  # smtplib's errors are OSErrors; the status change itself has committed
        logger.exception("Could not email resident report %s about its status", report.pk)
