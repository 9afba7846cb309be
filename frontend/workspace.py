# SPDX-License-Identifier: EUPL-1.2
"""The map workspace for department staff and planners, and the sign-in pages it needs.

/login/, /logout/   Django's auth views in the site's look; `?next=` is honoured.
/map/               the workspace: department staff, planners and administrators. Anyone
                    else signed in gets a 403 page; anonymous callers go to /login/.
/map/walks/         the municipality's walks with planned route and recorded track, for
                    the walk layer (the API's walk list carries the route only).
/map/observations/<id>/  what the observation's detail shows beside the API's Feature: its
                    place in words, its walk and group, and whether the caller may triage it
                    (walks.roles.assigns_this: the page never decides that by itself).

The figures (district choropleth and table) are for one period, shown on the page: by
default the period of the municipality's plan as its plan page shows it
(plans.page.plan_period of plans.views.shown_plan), so both show the same figures; without
a plan, the picture API's default (the last 12 months).

Everything on the map comes from the REST API; this module only hands the page its
configuration and its strings (fi/sv/en, through gettext).
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.contrib.gis.db.models import GeometryField
from django.db.models import CharField, F, Value
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis.picture import Period
from api.filters import MAX_LIMIT
from api.geojson import GEOJSON, Feature, GeoJSONGeometry, feature_collection
from frontend.signin import SignInForm
from frontend.strings import counted
from geo.models import Municipality
from plans.maps import PALETTES
from plans.models import SafetyPlan
from plans.page import plan_period
from plans.views import shown_plan
from walks import roles
from walks.filters import FILTERS
from walks.models import (
    ALLOWED_TRANSITIONS,
    CLOSED_STATUSES,
    FIXED_STATUSES,
    OPEN_STATUSES,
    Category,
    LightCondition,
    Observation,
    ParticipantGroup,
    ResponsibleUnit,
    SafetyWalk,
    Source,
    Status,
    Theme,
    UserProfile,
    WalkState,
)
from walks.roles import Role, readable_observations, role_in, role_of

# More observations than this in view are drawn as server clusters, never as points.
POINT_LIMIT = 2000
# Rows of the list beside the map.
PAGE_SIZE = 50
# Heat-map cells listed as the top hotspots in view.
HOTSPOTS = 5


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("Sign in")}

    def get_default_redirect_url(self):
        return reverse("map-workspace")


class LogoutView(auth_views.LogoutView):
    """GET asks (a link cannot sign anyone out by itself), POST signs out."""

    template_name = "registration/logged_out.html"
    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")


def for_workspace(view):
    """Signed-in department staff, planners and administrators; others are turned away."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not roles.uses_workspace(role_of(request.user)):
            return render(request, "frontend/map_forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def municipalities(user, first: Municipality | None = None) -> list[dict]:
    """The municipalities where the user's role counts (every one for an administrator), by
    code, each with whether the user organises there (the page's planner tools follow the
    municipality shown, not the user's highest role anywhere); `first` (the user's own)
    leads, and the page opens on it."""
    rows = []
    towns = Municipality.objects.order_by("code")
    scope = roles.municipalities_of(user)
    if scope is not None:
        towns = towns.filter(pk__in=scope)
    for town in towns:
        x0, y0, x1, y1 = town.geom.extent
        rows.append(
            {
                "code": town.code,
                "name": town.name,
                "bounds": [[y0, x0], [y1, x1]],
                "organises": roles.organises(role_in(user, town)),
            }
        )
    if first is not None:
        rows.sort(key=lambda row: row["code"] != first.code)  # stable: the rest stay by code
    return rows


def strings() -> dict:
    return {
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "inView": counted("%(count)s observation in view", "%(count)s observations in view"),
        "listCount": counted("%(count)s observation", "%(count)s observations"),
        "clustered": _("Too many to draw one by one: shown as clusters. Zoom in or filter."),
        "cluster": counted(
            "%(count)s observation here. Zoom in to see it.",
            "%(count)s observations here. Zoom in to see them.",
        ),
        "page": _("Page %(page)s of %(pages)s"),
        "noneFound": _("No observations match the filters in this view."),
        "loading": _("Loading…"),
        "loadFailed": _("Loading failed: %(reason)s"),
        "any": _("Any"),
        "severity": _("Severity"),
        "observed": _("Observed"),
        "district": _("District"),
        "unit": _("Responsible unit"),
        "light": _("Light"),
        "positive": _("Safe or pleasant place"),
        "note": _("Note"),
        "proposedFix": _("Proposed fix"),
        "noPhotos": _("No photos."),
        "photo": _("Photo %(n)s of observation %(id)s"),
        "history": _("History"),
        "noHistory": _("No changes yet."),
        "change": _("%(from)s → %(to)s"),
        "by": _("by %(user)s"),
        "saved": _("Saved: %(status)s."),
        "moderated": _("Moderated."),
        "supporters": _("Residents who reported the same: %(count)s"),
        "duplicatePick": _("Pick the original on the map or in the list. Press Escape to cancel."),
        "duplicate": _("Duplicate"),
        "duplicateOf": _("Duplicate of #%(id)s"),
        "duplicateSelf": _("Pick another observation: one cannot duplicate itself."),
        "duplicateCancelled": _("Marking as duplicate cancelled."),
        "cells": counted("%(count)s cell", "%(count)s cells"),
        "cellInfo": counted(
            "%(count)s observation, weight %(weight)s, %(density)s per km²",
            "%(count)s observations, weight %(weight)s, %(density)s per km²",
        ),
        "incidentCell": counted(
            "%(count)s incident, %(density)s per km²", "%(count)s incidents, %(density)s per km²"
        ),
        "districtCount": _("%(name)s: %(value)s observations"),
        "districtRate": _("%(name)s: %(value)s per 1,000 residents (severity-weighted)"),
        "noValue": _("%(name)s: no figure"),
        "createAction": _("Create action"),
        "cellTarget": counted(
            "For the heat-map cell with %(count)s observation",
            "For the heat-map cell with %(count)s observations",
        ),
        "districtTarget": _("For the district %(name)s"),
        "actionCreated": _("Action created."),
        "openPlan": _("Open the plan"),
        "noPlans": _("This municipality has no plan yet."),
        "poster": _("QR poster"),
        "protocol": _("Walk protocol"),
        "walkState": _("State"),
        "route": _("planned route"),
        "track": _("recorded track"),
        "observation": _("Observation %(id)s"),
        "period": _("%(start)s – %(last)s"),
        "planPeriod": _("The period of the plan “%(plan)s” (its council term so far)."),
        "yearPeriod": _("The last 12 months (the municipality has no plan)."),
        "chosenPeriod": _("Chosen here."),
        "periodInvalid": _("Give a first and a last day, the first on or before the last."),
        "hotspot": counted(
            "%(count)s observation, %(density)s per km²",
            "%(count)s observations, %(density)s per km²",
        ),
        "place": _("Place"),
        "perceivedSafety": _("Perceived safety"),
        "severityScale": _("%(value)s of 5 (5: serious)"),
        "safetyScale": _("%(value)s of 5 (1: very unsafe, 5: very safe)"),
        "walk": _("Safety walk"),
        "group": _("Group"),
        "keepStatus": _("Keep the current status (%(status)s)"),
        "nothingToSave": _("Nothing to save: choose a new status or a unit, or write a note."),
        "notSaved": _("Not saved: %(reason)s"),
        "offline": _("No connection to the server. Try again."),
        "serverError": _("The server could not do this (error %(status)s). Try again later."),
    }


@for_workspace
def map_workspace(request):
    role = role_of(request.user)
    categories = Category.objects.select_related("theme", "default_unit")
    towns = municipalities(request.user, first=UserProfile.municipality_of(request.user))
    context = {
        "municipalities": towns,
        "themes": Theme.objects.all(),
        "categories": categories,
        "statuses": Status.choices,
        "lights": LightCondition.choices,
        "sources": Source.choices,
        "units": ResponsibleUnit.objects.all(),
        "role": role,
        "strings": strings(),
        "config": {
            "role": role.value,
            "pointLimit": POINT_LIMIT,
            "pageSize": PAGE_SIZE,
            "hotspots": HOTSPOTS,
            "maxLimit": MAX_LIMIT,
            "municipalities": towns,  # the page opens on the first
            "categories": {
                c.code: {
                    "name": c.name,
                    "theme": c.theme.code,
                    "unit": c.default_unit.code if c.default_unit else None,
                }
                for c in categories
            },
            "themes": {t.code: t.name for t in Theme.objects.all()},
            "statuses": dict(Status.choices),
            # Code asks for a group of statuses, never for a list of its own.
            # The observation filters, in order: walks.filters, as every consumer has them.
            "filters": list(FILTERS),
            "lights": dict(LightCondition.choices),
            "units": {u.code: u.name for u in ResponsibleUnit.objects.all()},
            "walkStates": dict(WalkState.choices),
            # Where each status may go, in the workflow's order (Status).
            "transitions": {
                k: [s for s in Status.values if s in v] for k, v in ALLOWED_TRANSITIONS.items()
            },
            # Code asks for a group of statuses, never for a list of its own. Open ones are
            # drawn filled, closed ones hollow, and those closed without a fix (duplicate,
            # rejected) dashed.
            "statusGroups": {
                "open": list(OPEN_STATUSES),
                "fixed": list(FIXED_STATUSES),
                "closed": list(CLOSED_STATUSES),
                "dashed": [s for s in CLOSED_STATUSES if s not in FIXED_STATUSES],
            },
            # Colours from plans.maps, shared with the plan's maps; the workspace's names
            # for two of them: a theme without a colour, and the district choropleth.
            "palettes": {
                **PALETTES,
                "other": PALETTES["themes"]["other"],
                "districts": PALETTES["sequential"],
            },
            "basemapUrl": settings.BASEMAP_URL,
            "basemapAttribution": settings.BASEMAP_ATTRIBUTION,
            # Paths with a placeholder the page fills in per walk.
            "posterUrl": reverse("walk-poster", args=["CODE"]),
            "protocolUrl": reverse("walk-protocol", args=[0]),
            "walksUrl": reverse("map-walks"),
            "observationUrl": reverse("map-observation", args=[0]),
            "periods": plan_periods(role),
            "defaultPeriod": period_json(Period.last_year(timezone.localdate())),
            "api": {
                "observations": reverse("observation-list"),
                "clusters": reverse("observation-clusters"),
                "heatmap": reverse("heatmap"),
                "incidentHeatmap": reverse("incident-heatmap"),
                "districts": reverse("district-list"),
                "picture": reverse("municipality-picture", args=["CODE"]),
                "plans": "/api/v1/plans/",
                "actions": "/api/v1/actions/",
            },
        },
    }
    return render(request, "frontend/map.html", context)


def period_json(period: Period, plan: SafetyPlan | None = None) -> dict:
    """A period as the page uses it: ISO days, `end` the day after the last one."""
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "plan": plan.title if plan else None,
    }


def plan_periods(role) -> dict:
    """Per municipality code with a plan the reader may see: the period its plan page
    shows figures for."""
    plans = SafetyPlan.objects.all() if roles.organises(role) else SafetyPlan.objects.published()
    periods = {}
    codes = plans.values_list("municipality__code", flat=True).distinct().order_by()
    for code in codes:
        plan = shown_plan(plans.filter(municipality__code=code))
        periods[code] = period_json(plan_period(plan), plan)
    return periods


@for_workspace
def observation_detail(request, id):
    """What the detail shows beside the API's Feature; a 404 for what the caller may not
    read."""
    role = role_of(request.user)
    observations = Observation.objects.select_related("category", "address", "walk", "participant")
    observation = get_object_or_404(readable_observations(observations, request.user, role), pk=id)
    group = observation.participant.group if observation.participant else None
    if group is None and observation.walk:
        group = observation.walk.group
    return JsonResponse(
        {
            "id": observation.pk,
            "place": observation.place,
            "walk": observation.walk.title if observation.walk else None,
            "group": ParticipantGroup(group).label if group else None,
            "may_triage": roles.assigns_this(request.user, observation),
        }
    )


@for_workspace
def walk_lines(request):
    """The walks of ?municipality=<code> as Features without geometry: their planned route
    and recorded track are two geometries, in properties `route` and `track`. Built by the
    API's GeoJSON builder (api.geojson), in one statement."""
    town = Municipality.objects.filter(code=request.GET.get("municipality", "")).first()
    role = role_in(request.user, town) if town else Role.PUBLIC
    # Another municipality's walks are not the caller's: none (the map offers only theirs).
    walks = (
        SafetyWalk.objects.filter(municipality=town if roles.uses_workspace(role) else None)
        .exclude(route__isnull=True, track__isnull=True)
        .order_by("-starts_at", "-id")
    )
    shows_code = roles.organises(role)
    feature = Feature(
        id=F("id"),
        geometry=Value(None, output_field=GeometryField(srid=4326)),
        properties={
            "id": F("id"),
            "title": F("title"),
            "state": F("state"),
            "starts_at": F("starts_at"),
            "route": GeoJSONGeometry(F("route")),
            "track": GeoJSONGeometry(F("track")),
            "join_code": F("join_code") if shows_code else Value(None, output_field=CharField()),
        },
    )
    content = feature_collection(
        walks, feature, limit=MAX_LIMIT, offset=0, next_url=None, previous_url=None
    )
    return HttpResponse(content, content_type=GEOJSON)
