# SPDX-License-Identifier: EUPL-1.2
"""/public/: the public map of one municipality, for residents.

Everything on it comes from the public API, so it shows exactly what the public may read
(walks.roles, analysis.picture's k-anonymity): observations in clusters
(/api/v1/clusters/), filtered by theme, status and period or "fixed in the last 90 days";
each district's open and fixed figures (/api/v1/municipalities/<code>/picture/, small
cells hidden); the published plan's actions (/api/v1/plans/). Never who reported what.
"""

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from geo.models import Municipality
from walks.models import OPEN_STATUSES, Theme, UserProfile

FIXED_DAYS = 90


def public_map(request):
    code = request.GET.get("municipality", "")
    towns = Municipality.objects.defer("geom")  # only its extent is needed, from PostGIS
    town = towns.filter(code=code[:10]).first() if code else None
    if town is None:
        town = UserProfile.municipality_of(request.user)
    if town is None:
        return render(request, "frontend/public_map.html", {"town": None})
    extent = towns.filter(pk=town.pk).aggregate(extent=Extent("geom"))["extent"]
    x0, y0, x1, y1 = extent
    config = {
        "municipality": town.code,
        "bounds": [[y0, x0], [y1, x1]],
        "basemapUrl": settings.BASEMAP_URL,
        "basemapAttribution": settings.BASEMAP_ATTRIBUTION,
        "clustersUrl": reverse("observation-clusters"),
        "pictureUrl": reverse("municipality-picture", args=[town.code]),
        "plansUrl": reverse("plan-list"),
        "fixedDays": FIXED_DAYS,
        # Code asks for a group of statuses, never for a list of its own.
        "openStatuses": [str(status) for status in OPEN_STATUSES],
    }
    strings = {
        "cluster": _("%(count)s observations here"),
        "district": _("District"),
        "open": _("Open"),
        "fixed": _("Fixed"),
        "hidden": _("Too few to show"),
        "action": _("Action: %(title)s"),
        "loadFailed": _("Loading failed: %(reason)s"),
        "inView": _("%(count)s in view"),
    }
    context = {
        "town": town,
        "themes": Theme.objects.all(),
        "config": config,
        "strings": strings,
        "report_url": reverse("report"),
    }
    return render(request, "frontend/public_map.html", context)
