# SPDX-License-Identifier: EUPL-1.2
from django.db.models import Count
from django.shortcuts import render

from geo.models import Municipality


def landing(request):
    municipalities = Municipality.objects.annotate(district_count=Count("districts")).defer("geom")
    return render(request, "frontend/landing.html", {"municipalities": municipalities})
