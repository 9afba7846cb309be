# SPDX-License-Identifier: EUPL-1.2
"""The privacy page: what Lyhty stores about people in a municipality, and for how long."""

from django.shortcuts import get_object_or_404, render

from geo.models import Municipality
from operations.personal_data import KINDS


def privacy(request, code):
    municipality = get_object_or_404(Municipality.objects.defer("geom"), code=code)
    return render(
        request,
        "operations/privacy.html",
        {"municipality": municipality, "kinds": KINDS},
    )
