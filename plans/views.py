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

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from plans import render as printer
from plans.follow_up import follow_up_context, knowledge_stamp
from plans.models import SafetyPlan
from plans.page import plan_context
from plans.protocol import protocol_context, protocol_stamp
from plans.published import latest_revision
from walks import roles
from walks.cache import cached
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


def plan_page(request, code):
    plan = plan_for(request, code)
    context = {**plan_context(plan, public=reads_published(request, plan)), "printing": False}
    return render(request, "plans/plan.html", context)


def printed_plan(request, plan) -> dict:
    """The plan's PDF and the PNG of each map, printed once per publication (the public)
    or per change (the working copy)."""
    public = reads_published(request, plan)

    def print_plan():
        context = {**plan_context(plan, public=public), "printing": True}
        html = render_to_string("plans/plan.html", context, request=request)
        ids = {fmap.name: fmap.element_id for fmap in context["maps"]}
        result = printer.render(request.path, html, element_ids=ids.values())
        return {
            "pdf": result.pdf,
            "pngs": {name: result.pngs[element_id] for name, element_id in ids.items()},
        }

    revision = latest_revision(plan) if public else None
    version = f"revision {revision.pk}" if revision else plan.change_stamp()
    return cached("plan-print", [plan.pk, version], print_plan, PRINT_SECONDS)


def file_name(*parts) -> str:
    return "-".join(str(part) for part in parts if part).replace(" ", "_")


def plan_pdf(request, code):
    plan = plan_for(request, code)
    response = HttpResponse(printed_plan(request, plan)["pdf"], content_type="application/pdf")
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
