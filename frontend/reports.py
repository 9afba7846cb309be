# SPDX-License-Identifier: EUPL-1.2
"""The resident's pages: /report/ (report a problem, phone first, offline outbox), the
follow-up page of one report (its private token) and the page that stops the emails.

The follow-up and unsubscribe pages speak the language the resident reported in, whatever
the browser that opens the link from an email says.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from api.views.reports import follow_up
from frontend.strings import counted
from walks.models import ResidentReport, Theme, UserProfile

# Finland, when no municipality has been set up yet.
FINLAND = [[59.7, 19.1], [70.1, 31.6]]


def bounds_of(town) -> list:
    if town is None:
        return FINLAND
    x0, y0, x1, y1 = town.geom.extent
    return [[y0, x0], [y1, x1]]


def report_of(token: str) -> ResidentReport:
    report = (
        ResidentReport.objects.select_related("observation__category", "observation__address")
        .filter(token=token[:64])
        .first()
    )
    if report is None:
        raise Http404
    return report


def report_follow_up(request, token):
    report = report_of(token)
    with translation.override(report.language):
        context = {"report": follow_up(report), "token": token}
        response = render(request, "frontend/report_follow_up.html", context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token stays out of other sites' logs
    return response


@require_http_methods(["GET", "POST"])
def report_unsubscribe(request, token):
    """GET asks (a mail scanner following the link changes nothing); POST stops the emails."""
    report = report_of(token)
    done = False
    if request.method == "POST":
        ResidentReport.objects.filter(pk=report.pk).update(notify=False)
        done = True
    with translation.override(report.language):
        response = render(
            request,
            "frontend/report_unsubscribe.html",
            {"done": done, "token": token, "emails": report.notify and not done},
        )
    response["Referrer-Policy"] = "no-referrer"
    return response


def report_page(request):
    """Report a problem: place, category by theme, optional details and photos, email."""
    themes = [
        {
            "code": theme.code,
            "name": theme.name,
            "categories": [
                {"code": c.code, "name": c.name, "help": c.help_text}
                for c in theme.categories.all()
                if c.active
            ],
        }
        for theme in Theme.objects.prefetch_related("categories")
    ]
    config = {
        "themes": [theme for theme in themes if theme["categories"]],
        "reportsUrl": reverse("report-create"),
        "nearbyUrl": reverse("report-nearby"),
        "supportUrl": reverse("report-support"),
        "maxPhotos": settings.REPORT_MAX_PHOTOS,
        "tiles": settings.BASEMAP_URL,
        "attribution": settings.BASEMAP_ATTRIBUTION,
        "bounds": bounds_of(UserProfile.municipality_of(request.user)),
        "language": translation.get_language()[:2],
    }
    strings = {
        "waiting": counted("%(count)s waiting to send", "%(count)s waiting to send"),
        "allSent": _("All sent"),
        "savedOffline": _("Saved on this phone. It will be sent when you are online."),
        "sent": _("Thank you! Your report was received."),
        "followUp": _("Follow your report"),
        "chooseCategory": _("Choose what you found."),
        "noLocation": _("Your position is not available. Tap the map where the place is."),
        "choosePlace": _("Tap the map where it is, or use your location."),
        "same": _("This is the same"),
        "sameFound": _("Already reported nearby. Is yours one of these?"),
        "supported": _("Thank you! Your support was added to the report."),
        "tooManyPhotos": _("At most %(max)s photos."),
        "metres": _("%(metres)s m away"),
        "supporters": counted("%(count)s supporter", "%(count)s supporters"),
        "notSent": _("Could not be sent: %(reason)s"),
    }
    return render(request, "frontend/report.html", {"config": config, "strings": strings})
