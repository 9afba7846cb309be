# SPDX-License-Identifier: EUPL-1.2
import hashlib
import json
import math
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from api.throttling import JoinThrottle
from frontend.strings import counted
from walks.models import ParticipantGroup, SafetyWalk, normalise_join_code

# The groups a participant picks from when joining: short words, mapped to the model's.
JOIN_GROUPS = [
    ("resident", ParticipantGroup.RESIDENTS),
    ("youth", ParticipantGroup.YOUTH),
    ("senior", ParticipantGroup.SENIORS),
    ("official", ParticipantGroup.OFFICIALS),
    ("police", ParticipantGroup.POLICE),
    ("other", ParticipantGroup.MIXED),
]


def too_many_lookups(request, code):
    """The API join's throttle: a page that says whether a code exists counts as a guess."""
    throttle = JoinThrottle()
    if not throttle.refuses(request):
        return None
    context = {"code": code, "error": _("Too many attempts. Wait a minute and try again.")}
    response = render(request, "frontend/walk_start.html", context, status=429)
    response["Retry-After"] = str(math.ceil(throttle.wait() or 1))
    return response


def walk_start(request):
    """A field for the join code; a known code goes on to the walk's logger."""
    code = normalise_join_code(request.GET.get("code", ""))
    error = ""
    if code:
        if refused := too_many_lookups(request, code):
            return refused
        if SafetyWalk.objects.filter(join_code=code).exists():
            return redirect("walk-logger", code=code)
        error = _("No walk has this code. Check it with the walk's organiser.")
    return render(request, "frontend/walk_start.html", {"code": code, "error": error})


def walk_logger(request, code):
    """The phone logger of one walk: the join form first, then the map and the categories."""
    code = normalise_join_code(code)
    if refused := too_many_lookups(request, code):
        return refused
    walk = SafetyWalk.objects.filter(join_code=code).defer("route", "track").first()
    if walk is None:
        context = {"code": code, "error": _("No walk has this code.")}
        return render(request, "frontend/walk_start.html", context, status=404)
    strings = {
        "waiting": counted("%(count)s waiting to send", "%(count)s waiting to send"),
        "allSent": _("All sent"),
        "sending": _("Sending…"),
        "rejected": counted("%(count)s could not be saved", "%(count)s could not be saved"),
        "saved": _("Saved: %(category)s"),
        "savedOffline": _("Saved on this phone: %(category)s. It will be sent when online."),
        "moved": _("Place corrected."),
        "poorFix": _(
            "Your position is uncertain (± %(metres)s m). Tap the map where the place is."
        ),
        "noFix": _("Waiting for your position. You can tap the map where the place is."),
        "noLocation": _(
            "Your position is not available. Tap the map where the place is, then what you found."
        ),
        "tapForPoint": _("No position yet: tap the map where “%(category)s” is."),
        "joinFailed": _("Joining failed. Check the network and try again."),
        "you": _("You are here"),
        "detailsSaved": _("Details saved."),
        "photoAdded": _("Photo added: it is sent with the point."),
        "photoRejected": _("A photo could not be sent: %(reason)s"),
        "pointRejected": _(
            "Points not saved: %(count)s. Open “My points” to see why and correct them."
        ),
        "rejectedBecause": _("Not saved: %(reason)s"),
        "stateWaiting": _("Waiting to send"),
        "stateSent": _("Sent"),
        "stateDeleting": _("Being deleted"),
        "edit": _("Change"),
        "delete": _("Delete"),
        "editLabel": _("Change point %(n)s: %(category)s"),
        "deleteLabel": _("Delete point %(n)s: %(category)s"),
        "confirmDelete": _("Delete this point: %(category)s?"),
        "deleted": _("Point deleted."),
        "changed": _("Changes saved."),
        "unknownCategory": _("Unknown category"),
        "trackOn": counted(
            "Recording your route: %(count)s position kept.",
            "Recording your route: %(count)s positions kept.",
        ),
        "trackSent": counted(
            "Recording your route: %(count)s position kept, %(sent)s sent.",
            "Recording your route: %(count)s positions kept, %(sent)s sent.",
        ),
        "trackOff": _("Your route is not recorded."),
        "trackClosed": _("The walk is closed: your route is no longer sent."),
        "trackNoGps": _("Recording needs your position: allow location for this page."),
        "rejoined": _("Joined again: sending your waiting points."),
    }
    context = {
        "walk": walk,
        "code": code,
        "groups": _group_labels(),
        "strings": strings,
        "config": {
            "code": code,
            "walkId": walk.pk,
            "walkOpen": walk.is_open,
            "joinUrl": reverse("walk-join"),
            "walkUrl": reverse("walk-detail", kwargs={"id": walk.pk}),
            "categoriesUrl": reverse("category-list"),
            "themesUrl": reverse("theme-list"),
            "observationsUrl": reverse("observation-list"),
            "trackUrl": reverse("walk-track", kwargs={"id": walk.pk}),
            "swUrl": reverse("walk-sw"),
            "tileUrl": settings.BASEMAP_URL,
            "tileAttribution": settings.BASEMAP_ATTRIBUTION,
        },
    }
    return render(request, "frontend/walk_logger.html", context)


def _group_labels():
    labels = {
        "resident": _("Resident"),
        "youth": _("Young person"),
        "senior": _("Senior"),
        "official": _("Municipal official"),
        "police": _("Police"),
        "other": _("Other"),
    }
    return [(value.value, labels[short]) for short, value in JOIN_GROUPS]


def assets_version(urls) -> str:
    """Changes whenever a cached file changes, so that phones fetch the new ones.

    In production the static URLs carry a content hash already; in development the files'
    modification times stand in for it.
    """
    stamps = list(urls)
    for url in urls:
        static_file = url.startswith(settings.STATIC_URL) and settings.DEBUG
        found = finders.find(url.removeprefix(settings.STATIC_URL)) if static_file else None
        if found:
            stamps.append(str(Path(found).stat().st_mtime_ns))
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()[:12]


@cache_control(no_cache=True)
def walk_service_worker(request):
    assets = [
        static("frontend/lyhty.css"),
        static("frontend/dates.js"),
        static("frontend/walk/logger.css"),
        static("frontend/walk/logger.js"),
        static("frontend/walk/idb.js"),
        static("frontend/walk/outbox.js"),
        static("frontend/walk/offline.js"),
        static("frontend/walk/track.js"),
        static("frontend/walk/points.js"),
        static("frontend/walk/icon.svg"),
        static("frontend/walk/icon-192.png"),
        static("leaflet/leaflet.js"),
        static("frontend/basemap.js"),
        static("leaflet/leaflet.css"),
        reverse("walk-manifest"),
    ]
    context = {"assets_json": json.dumps(assets), "version": assets_version(assets)}
    return render(request, "frontend/walk_sw.js", context, content_type="text/javascript")


def walk_manifest(request):
    manifest = {
        "name": _("Lyhty safety walk"),
        "short_name": "Lyhty",
        "start_url": reverse("walk-start"),
        "scope": reverse("walk-start"),
        "display": "standalone",
        "background_color": "#000000",
        "theme_color": "#000000",
        # The PNGs are drawn by scripts/make_icons.py (committed); full-bleed, so
        # phones may cut them to any shape.
        "icons": [
            {"src": static("frontend/walk/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            *(
                {
                    "src": static(f"frontend/walk/icon-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any maskable",
                }
                for size in (192, 512)
            ),
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


# Drawn by scripts/make_icons.py. Browsers, feed readers and bookmarking tools ask for
# /favicon.ico whatever a page links, and a 404 there is a console error on every page.
FAVICON = Path(__file__).resolve().parent / "static" / "frontend" / "favicon.ico"


@cache_control(max_age=86400, public=True)
def favicon(request):
    return FileResponse(FAVICON.open("rb"), content_type="image/vnd.microsoft.icon")
