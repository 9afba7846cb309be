# SPDX-License-Identifier: EUPL-1.2
"""The plan page, its PDF and map PNGs; the walk protocol and its PDF.

Who sees what:

- A published plan: anyone. A draft: the municipality's planners and administrators
  (others get a 404).
  `/plan/<code>/` is the latest published plan (for planners the latest plan, drafts
  included, when nothing is published yet); `?plan=<id>` names one.
- A walk protocol: the municipality's department staff and planners, and administrators,
  always, with internal
  observations (marked as such); anyone else only when the walk's municipality has a
  published plan, and then with the public observations only, the actions of published
  plans only, and without the responsible persons' names, the follow-up notes and the
  recorded track (INTERNAL_READERS below is the one place that decides). No participant
  is named: participants are counted by group, findings carry no reporter.
- The plan page names no responsible person, for any reader: it is the public document.
- A published plan's content is its latest published revision (plans.published) for
  everyone but planners and administrators, who see the working copy with a note when it
  differs from what is published; `?version=published` shows them the public's version.

The annual follow-up report (`/plan/<code>/follow-up/<year>/`, plans.follow_up) is read
like the plan page, always from the published content; its PDF is printed the same way.

The PDF and PNGs are printed by Chromium (plans.render) and cached (walks.cache) under the
plan's (or walk's) change stamp, per language, until the observations change.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plans import render as printer
from plans.follow_up import follow_up_context, knowledge_stamp
from plans.models import SafetyPlan
from plans.page import plan_context
from plans.protocol import protocol_context, protocol_stamp
from plans.published import latest_revision
from walks import roles
from walks.cache import cached, cached_meanwhile
from walks.filters import FilterError, parse_filter
from walks.models import SafetyWalk
from walks.roles import role_in

PRINT_SECONDS = 24 * 60 * 60


def plan_for(request, code: str) -> SafetyPlan:
    plans = SafetyPlan.objects.select_related("municipality").filter(municipality__code=code)
    town = plans.values("municipality_id")[:1]
    if not town or not roles.organises(role_in(request.user, town[0]["municipality_id"])):
        plans = plans.published()
    wanted = request.GET.get("plan")
    if wanted is not None:
        if not wanted.isdigit() or len(wanted) > 18:
            raise Http404
        return get_object_or_404(plans, pk=int(wanted))
    plan = shown_plan(plans)
    if plan is None:
        raise Http404
    return plan


def shown_plan(plans) -> SafetyPlan | None:
    """The plan `/plan/<code>/` shows without `?plan=`: of `plans` (drafts among them only
    for those who may see drafts), the latest published one, else the latest one."""
    return plans.published().latest_first().first() or plans.latest_first().first()


def reads_published(request, plan) -> bool:
    """The caller reads the published content: everyone but the plan's municipality's
    planners and administrators, and they too when they ask for it."""
    wanted = request.GET.get("version") == "published"
    return wanted or not roles.organises(role_in(request.user, plan.municipality_id))


class BadSource(ValueError):
    """?source= cannot be read or is not the caller's to ask; the message says why."""


def sources_asked(request, plan) -> list[str] | None:
    """The sources the figures are narrowed to (?source=walk,resident, read by the filter
    vocabulary), or None. Only for those who read the municipality's internal observations,
    as with the district picture: the public's figures hide small cells over one set of
    observations, and a narrowed set beside the whole could give a hidden one away."""
    text = request.GET.get("source")
    if text is None:
        return None
    try:
        sources = parse_filter("source", text)
    except FilterError as error:
        raise BadSource(str(error)) from error
    if not roles.reads_internal(role_in(request.user, plan.municipality_id)):
        raise BadSource(_("Only staff, planners and administrators narrow it by source."))
    return sources


def refused(error: BadSource) -> HttpResponse:
    return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


def plan_page(request, code):
    plan = plan_for(request, code)
    try:
        sources = sources_asked(request, plan)
    except BadSource as error:
        return refused(error)
    public = reads_published(request, plan)
    context = {
        **plan_context(plan, public=public, sources=sources),
        "printing": False,
        # The annual follow-up reports of the term's years begun so far.
        "follow_up_years": [y for y in plan.years() if y <= timezone.localdate().year],
    }
    return render(request, "plans/plan.html", context)


def printed_plan(request, plan, sources=None, made=None) -> dict:
    """The plan's PDF and the PNG of each map, printed once per publication (the public)
    or per change (the working copy); a print made now is added to `made`. Right after a
    change a reader gets the print made before it while the new one is made
    (cached_meanwhile)."""
    public = reads_published(request, plan)
    # The page printed renders the request's CSP nonce: made now, since a print made after
    # the response (cached_meanwhile) may no longer make one (django-csp).
    str(getattr(request, "csp_nonce", ""))

    def print_plan():
        if made is not None:
            made.append(plan.pk)
        context = {**plan_context(plan, public=public, sources=sources), "printing": True}
        html = render_to_string("plans/plan.html", context, request=request)
        ids = {fmap.name: fmap.element_id for fmap in context["maps"]}
        result = printer.render(request.path, html, element_ids=ids.values())
        return {
            "pdf": result.pdf,
            "pngs": {name: result.pngs[element_id] for name, element_id in ids.items()},
        }

    revision = latest_revision(plan) if public else None
    version = f"revision {revision.pk}" if revision else plan.change_stamp()
    # The print shows indicator figures and survey results too (knowledge_stamp).
    parts = [plan.pk, version, sorted(sources or ()), knowledge_stamp(plan.municipality)]
    return cached_meanwhile("plan-print", parts, print_plan, PRINT_SECONDS)


def refresh_prints() -> int:
    """Print, in every language, the plan each municipality shows the public, unless its
    print for the observations' current state is cached already; how many were printed.
    What `manage.py print_plans --every N` runs in the background, so that the first
    reader after a change finds the print made."""
    factory = RequestFactory()
    printed = 0
    towns = SafetyPlan.objects.published().values_list("municipality__code", flat=True)
    for code in sorted(set(towns)):
        plans = SafetyPlan.objects.select_related("municipality").filter(municipality__code=code)
        plan = plans.published().latest_first().first()
        for language, _name in settings.LANGUAGES:
            request = factory.get(f"/plan/{code}/plan.pdf", HTTP_ACCEPT_LANGUAGE=language)
            request.user = AnonymousUser()
            with translation.override(language):
                request.LANGUAGE_CODE = language
                made = []
                printed_plan(request, plan, made=made)
                printed += len(made)
    return printed


def file_name(*parts) -> str:
    return "-".join(str(part) for part in parts if part).replace(" ", "_")


def plan_pdf(request, code):
    plan = plan_for(request, code)
    try:
        sources = sources_asked(request, plan)
    except BadSource as error:
        return refused(error)
    response = HttpResponse(
        printed_plan(request, plan, sources)["pdf"], content_type="application/pdf"
    )
    name = file_name("safety-plan", plan.municipality.code, plan.pk)
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


def plan_map_png(request, code, name):
    plan = plan_for(request, code)
    png = printed_plan(request, plan)["pngs"].get(name)
    if png is None:
        raise Http404
    response = HttpResponse(png, content_type="image/png")
    filename = file_name(plan.municipality.code, plan.pk, name)
    response["Content-Disposition"] = f'attachment; filename="{filename}.png"'
    return response


# --- walk protocol -------------------------------------------------------------------------


def protocol_walk(request, walk_id) -> tuple[SafetyWalk, bool]:
    """The walk and whether the caller sees internal observations; 404 when not theirs."""
    walk = get_object_or_404(SafetyWalk.objects.select_related("municipality"), pk=walk_id)
    if roles.reads_protocols(role_in(request.user, walk.municipality_id)):
        return walk, True
    if SafetyPlan.objects.published().filter(municipality=walk.municipality_id).exists():
        return walk, False
    raise Http404


def protocol_page(request, walk_id):
    walk, internal = protocol_walk(request, walk_id)
    context = {**protocol_context(walk, internal=internal), "printing": False}
    return render(request, "plans/protocol.html", context)


def protocol_pdf(request, walk_id):
    walk, internal = protocol_walk(request, walk_id)

    def print_protocol():
        context = {**protocol_context(walk, internal=internal), "printing": True}
        html = render_to_string("plans/protocol.html", context, request=request)
        return printer.render(request.path, html).pdf

    parts = [walk.pk, internal, protocol_stamp(walk)]
    pdf = cached("protocol-print", parts, print_protocol, PRINT_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="walk-protocol-{walk.pk}.pdf"'
    return response


# --- the annual follow-up report -----------------------------------------------------------


def follow_up_plan(request, code, year) -> SafetyPlan:
    """The plan shown at /plan/<code>/ (or ?plan=), when the year is in its council term."""
    plan = plan_for(request, code)
    if year not in plan.years():
        raise Http404
    return plan


def follow_up_page(request, code, year):
    plan = follow_up_plan(request, code, year)
    context = {**follow_up_context(plan, year), "printing": False}
    return render(request, "plans/follow_up.html", context)


def follow_up_pdf(request, code, year):
    plan = follow_up_plan(request, code, year)

    def print_report():
        context = {**follow_up_context(plan, year), "printing": True}
        html = render_to_string("plans/follow_up.html", context, request=request)
        return printer.render(request.path, html).pdf

    revision = latest_revision(plan)
    version = f"revision {revision.pk}" if revision else plan.change_stamp()
    parts = [plan.pk, year, version, knowledge_stamp(plan.municipality)]
    pdf = cached("follow-up-print", parts, print_report, PRINT_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = file_name("follow-up", plan.municipality.code, plan.pk, year)
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
