# SPDX-License-Identifier: EUPL-1.2
"""The front page: the reader's municipality, a search over municipality names (fi/sv/en,
a plain GET form that works without JavaScript), and the municipalities that use Lyhty.

A national boundary import puts some 300 municipalities in the database; the page never
lists them all, only what was searched for and those with a published plan, observations
or districts.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from geo.models import Municipality
from plans.models import SafetyPlan
from walks.models import Observation

SEARCH_MIN_LETTERS = 2
SEARCH_MAX_LENGTH = 100
SHOWN = 12  # search results and listed municipalities, each; a phone scrolls at most ~3 screens


@dataclass
class Entry:
    """A municipality as the page shows it: its name, its other-language name, its links."""

    municipality: Municipality
    has_plan: bool
    district_count: int

    @property
    def name(self) -> str:
        return self.municipality.name

    @property
    def other_name(self) -> str:
        """The Finnish or Swedish name the reader may know it by, if it differs."""
        m = self.municipality
        others = [n for n in (m.name_fi, m.name_sv) if n and n != m.name]
        return others[0] if others else ""

    @property
    def other_language(self) -> str:
        return "sv" if self.other_name == self.municipality.name_sv else "fi"

    @property
    def plan_url(self) -> str:
        if not self.has_plan:
            return ""
        return reverse("plan-page", kwargs={"code": self.municipality.code})


def municipalities():
    published = SafetyPlan.objects.published().filter(municipality=OuterRef("pk"))
    return (
        Municipality.objects.defer("geom")
        .annotate(
            has_plan=Exists(published),
            has_data=Exists(Observation.objects.filter(municipality=OuterRef("pk"))),
            district_count=Count("districts"),
        )
        .order_by("code")
    )


def entries(queryset) -> list[Entry]:
    return [Entry(m, m.has_plan, m.district_count) for m in queryset]


def by_name(found: list[Entry], query: str = "") -> list[Entry]:
    """Names that start with the query first, then alphabetically in the reader's language."""
    query = query.casefold()
    return sorted(
        found,
        key=lambda e: (
            not any(n.casefold().startswith(query) for n in (e.name, e.other_name) if n),
            e.name.casefold(),
        ),
    )


def search(query: str) -> list[Entry]:
    named = (
        Q(name_fi__icontains=query)
        | Q(name_sv__icontains=query)
        | Q(name_en__icontains=query)
        | Q(code=query)
    )
    return by_name(entries(municipalities().filter(named)), query)


def in_use() -> list[Entry]:
    """Municipalities with a published plan, observations or districts."""
    used = Q(has_plan=True) | Q(has_data=True) | Q(district_count__gt=0)
    return by_name(entries(municipalities().filter(used)))


def home(request, listed: list[Entry]) -> Entry | None:
    """The municipality the page starts with: the signed-in user's own (`user.profile`,
    the user profile another change of issue 18 adds), else the municipality of the latest
    published plan, else the one where observations were last added or changed (one
    index lookup: counting every municipality's observations on each visit would cost
    seconds at a million)."""
    # getattr: no profile model yet, or none for this user (RelatedObjectDoesNotExist is
    # an AttributeError), or an anonymous visitor.
    pk = getattr(getattr(request.user, "profile", None), "municipality_id", None)
    if pk is None:
        plan = SafetyPlan.objects.published().latest_first().values("municipality").first()
        pk = plan["municipality"] if plan else None
    if pk is None:
        latest = Observation.objects.order_by("-updated_at").values("municipality").first()
        pk = latest["municipality"] if latest else None
    if pk is None:
        return None
    found = next((e for e in listed if e.municipality.pk == pk), None)
    return found or next(iter(entries(municipalities().filter(pk=pk))), None)


def report_url() -> str:
    """The residents' report page, when it exists (issue 18 leaves it to come)."""
    try:
        return reverse("report")
    except NoReverseMatch:
        return ""


def landing(request):
    query = " ".join(request.GET.get("q", "").split())
    error, found = "", None
    if query and len(query) < SEARCH_MIN_LETTERS:
        error = _("Type at least two letters of the municipality's name.")
    elif len(query) > SEARCH_MAX_LENGTH:
        error = _("A municipality's name has at most %(count)s characters.") % {
            "count": SEARCH_MAX_LENGTH
        }
    elif query:
        found = search(query)
    listed = in_use()
    featured = home(request, listed)
    others = [e for e in listed if e is not featured]
    context = {
        "query": query,
        "error": error,
        "found": found[:SHOWN] if found is not None else None,
        "more_found": len(found) - SHOWN if found and len(found) > SHOWN else 0,
        "featured": featured,
        "listed": others[:SHOWN],
        "more_listed": max(len(others) - SHOWN, 0),
        "report_url": report_url(),
    }
    return render(request, "frontend/landing.html", context)
