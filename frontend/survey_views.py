# SPDX-License-Identifier: EUPL-1.2
"""`/survey/<slug>/`: a resident answers the survey on their phone, anonymously.

The page is the form (fieldsets with labels, usable without a pointer); its script
(`frontend/static/frontend/survey/survey.js`) keeps the answers on the phone as they are
given, adds the map answers, and sends the whole once, through the survey outbox, when the
network lets it. Its service worker (`/survey/sw.js`, the logger's worker with the survey's
files) keeps the page and its files, so that a reload without network still opens it.
"""

import json

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from frontend.views import assets_version
from surveys.models import MAP_KINDS, QuestionKind, Survey, TimeOfDay


def scale() -> list[tuple[int, str]]:
    return [
        (1, _("1 – very unsafe")),
        (2, _("2 – fairly unsafe")),
        (3, _("3 – neither safe nor unsafe")),
        (4, _("4 – fairly safe")),
        (5, _("5 – very safe")),
    ]


def page_strings() -> dict:
    return {
        "savedOnPhone": _("Your answers so far are saved on this phone."),
        "waiting": _("No network: your answers are saved on this phone and sent when online."),
        "sending": _("Sending…"),
        "thanks": _("Thank you! Your answers were received."),
        "refused": _("Your answers could not be saved: %(reason)s"),
        "needsAnswer": _("This question needs an answer."),
        "place": _("Place %(n)s"),
        "stretch": _("Stretch %(n)s"),
        "reason": _("Why"),
        "when": _("When"),
        "note": _("Note (optional)"),
        "remove": _("Remove"),
        "removeLabel": _("Remove %(name)s"),
        "noReason": _("Choose a reason"),
        "addedPlace": _("Place added. Choose why and when below the map."),
        "stretchStarted": _("Stretch started: tap the next point along it, then choose Done."),
        "stretchTooShort": _("A stretch needs at least two points."),
        "finishStretch": _("Done"),
        "fixErrors": _("Some answers need attention: see the messages above."),
    }


def survey_page(request, slug):
    survey = get_object_or_404(
        Survey.objects.answerable().select_related("municipality"), slug=slug
    )
    questions = list(survey.questions.prefetch_related("options"))
    map_questions = [q for q in questions if q.kind in MAP_KINDS]
    extent = survey.municipality.geom.extent
    config = {
        "slug": survey.slug,
        "submitUrl": reverse("survey-responses", kwargs={"slug": survey.slug}),
        "bounds": [[extent[1], extent[0]], [extent[3], extent[2]]],
        "tileUrl": settings.BASEMAP_URL,
        "tileAttribution": settings.BASEMAP_ATTRIBUTION,
        "mapQuestions": {
            q.code: {
                "kind": q.kind,
                "options": [[o.code, o.text] for o in q.options.all()],
            }
            for q in map_questions
        },
        "times": TimeOfDay.choices,
        "language": request.LANGUAGE_CODE,
        "swUrl": reverse("survey-sw"),
    }
    context = {
        "survey": survey,
        "questions": questions,
        "districts": survey.municipality.districts.order_by("name"),
        "scale": scale(),
        "kinds": QuestionKind,
        "is_open": survey.is_open_on(timezone.localdate()),
        "config": config,
        "strings": page_strings(),
    }
    return render(request, "frontend/survey.html", context)


@cache_control(no_cache=True)
def survey_service_worker(request):
    """The logger's service worker (frontend/walk_sw.js) with the survey page's files: the
    survey pages themselves are kept as they are loaded (network first), the files at once.
    Served from /survey/ so that its scope covers every survey."""
    assets = [
        static("frontend/lyhty.css"),
        static("frontend/dates.js"),
        static("frontend/walk/icon.svg"),
        static("frontend/walk/icon-192.png"),
        static("frontend/walk/idb.js"),
        static("frontend/walk/offline.js"),
        static("frontend/survey/survey.css"),
        static("frontend/survey/survey.js"),
        static("leaflet/leaflet.js"),
        static("leaflet/leaflet.css"),
        static("leaflet/images/marker-icon.png"),
        static("leaflet/images/marker-icon-2x.png"),
        static("leaflet/images/marker-shadow.png"),
    ]
    context = {
        "assets_json": json.dumps(assets),
        "version": assets_version(assets),
        "cache_prefix": "lyhty-survey-",
        "data_pattern_json": json.dumps(r"^/survey/[-\w]+/$"),
    }
    return render(request, "frontend/walk_sw.js", context, content_type="text/javascript")
