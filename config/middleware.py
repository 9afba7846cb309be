# SPDX-License-Identifier: EUPL-1.2
"""Requests refused before any view sees them."""

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from walks.cache import begin_request


class RefuseNulCharacters:
    """A 400 for a path or query parameter holding U+0000.

    PostgreSQL text cannot hold NUL, so every lookup by such a value (a join code, a
    municipality code, a filter) would fail in the database as a 500; no real address has
    one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in query.getlist(key)) for key in query
        ):
            message = _("The address contains a null character.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)  # as DRF answers
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class PermissionsPolicy:
    """Which browser features a page may use: the position only where points are placed.

    The paths are GEOLOCATION_PATHS (settings); everywhere else, and for camera and
    microphone everywhere, the browser refuses the feature even to a script injected into
    the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        where = "(self)" if request.path.startswith(settings.GEOLOCATION_PATHS) else "()"
        response.setdefault(
            "Permissions-Policy",
            f"geolocation={where}, camera=(), microphone=(), payment=(), usb=()",
        )
        return response


class AfterResponse:
    """Lets a view leave work for after its response is sent (walks.cache.cached_meanwhile:
    the plan's figures and prints made anew after a change while the reader already has
    the previous ones)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        begin_request()
        return self.get_response(request)
