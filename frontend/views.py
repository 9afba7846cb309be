# SPDX-License-Identifier: EUPL-1.2
from django.shortcuts import render

from geo.models import Municipality


def landing(request):
    return render(request, "frontend/landing.html", {"municipalities": Municipality.objects.all()})
