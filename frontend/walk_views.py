# SPDX-License-Identifier: EUPL-1.2
"""For a walk's organisers: the join link as a QR code, and a poster to print.

Only planners and administrators see join codes (api.permissions.sees_join_codes), so
these pages want a signed-in planner or administrator: anyone else is sent to sign in
(anonymous) or refused (403).
"""

import io
from functools import wraps

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from walks import roles
from walks.models import SafetyWalk, normalise_join_code
from walks.roles import role_in, role_of


def is_organiser(user) -> bool:
    """A planner somewhere, or an administrator."""
    return roles.organises(role_of(user))


def for_organisers(view):
    """The walk of `code` for a planner or an administrator; 403 for other signed-in users."""

    @login_required
    @wraps(view)
    def wrapped(request, code):
        if not is_organiser(request.user):
            raise PermissionDenied
        walk = SafetyWalk.objects.filter(join_code=normalise_join_code(code)).defer(
            "route", "track"
        )
        walk = walk.first()
        if walk is None:
            raise Http404
        if not roles.organises(role_in(request.user, walk.municipality_id)):
            raise PermissionDenied  # another municipality's walk
        return view(request, walk)

    return wrapped


def join_url(request, walk) -> str:
    return request.build_absolute_uri(reverse("walk-logger", kwargs={"code": walk.join_code}))


def join_qr(url: str):
    # Level M survives a crease or a smudge on a printed poster; the URL fits version 3–4.
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    join_qr(url).save(
        out, kind="svg", scale=scale, border=4, light="#fff", xmldecl=False, title=url
    )
    return out.getvalue()


@for_organisers
@cache_control(private=True, max_age=3600)
def walk_qr(request, walk):
    """The walk's absolute join URL as an SVG QR code."""
    return HttpResponse(qr_svg(join_url(request, walk)), content_type="image/svg+xml")


@for_organisers
def walk_poster(request, walk):
    """A page to print: title, date, the QR code, the code in large letters, how to join."""
    context = {
        "walk": walk,
        "join_url": join_url(request, walk),
        "start_url": request.build_absolute_uri(reverse("walk-start")),
        "qr_url": reverse("walk-qr", kwargs={"code": walk.join_code}),
    }
    return render(request, "frontend/walk_poster.html", context)
