# SPDX-License-Identifier: EUPL-1.2
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from geo.models import Municipality
from plans.models import PlanState, SafetyPlan
from tests.frontend.conftest import screenshot
from walks.models import Category, Observation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(
    ("language", "heading", "districts"),
    [
        ("fi", "Turvallisempia paikkoja kävely kerrallaan", "2 kaupunginosaa"),
        ("sv", "Tryggare platser, en vandring i taget", "2 kommundelar"),
        ("en", "Safer places, walk by walk", "2 districts"),
    ],
)
def test_it_greets_in_the_browsers_language(
    page_in, live_server, municipality, language, heading, districts
):
    page = page_in(language)
    page.goto(live_server.url + "/")

    assert page.locator("h1").inner_text() == heading
    assert page.locator("html").get_attribute("lang") == language
    assert districts in page.locator(".municipalities").inner_text()
    screenshot(page, f"landing-{language}")


def test_it_switches_language(page_in, live_server, municipality):
    page = page_in("en")
    page.goto(live_server.url + "/")
    page.get_by_label("Language").select_option("sv")
    page.get_by_role("button", name="Change").click()

    assert page.locator("h1").inner_text() == "Tryggare platser, en vandring i taget"
    assert "Testby" in page.locator(".municipalities").inner_text()


def test_it_leads_to_joining_a_walk(page_in, live_server, municipality):
    page = page_in("en")
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Join the walk").click()
    page.wait_for_url(f"{live_server.url}/walk/")


# The front page with every Finnish municipality imported (309, the national 2024 file).


@pytest.fixture
def finland(db, shared_data):
    call_command(
        "import_municipalities",
        str(shared_data / "boundaries/fi/fi_municipalities_2024.geojson"),
        *("--country", "FI", "--code-field", "NATCODE", "--name-field", "NAMEFIN"),
        *("--name-sv-field", "NAMESWE"),
        stdout=StringIO(),
    )
    assert Municipality.objects.count() == 309
    today = timezone.localdate()
    for code, state in [("285", PlanState.PUBLISHED), ("638", PlanState.DRAFT)]:
        SafetyPlan.objects.create(
            municipality=Municipality.objects.get(code=code),
            title_fi=f"Turvallisuussuunnitelma {code}",
            period_start=date(today.year - 1, 6, 1),
            period_end=date(today.year + 3, 5, 31),
            state=state,
            published_at=timezone.now() if state == PlanState.PUBLISHED else None,
        )


PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def test_it_stays_short_on_a_phone_and_links_the_published_plan(page_in, live_server, finland):
    page = page_in("fi", **PHONE)
    page.goto(live_server.url + "/")

    assert page.evaluate("document.scrollingElement.scrollHeight") <= 3 * 740
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    # Kotka has the only published plan: it comes first, with its plan; Porvoo's draft is not
    # linked, and the 307 others are found by searching.
    assert page.locator("#featured-heading").inner_text() == "Kotka"
    plan_links = page.locator("a[href='/plan/285/']")
    assert plan_links.count() >= 1 and plan_links.first.is_visible()
    assert page.locator("a[href='/plan/638/']").count() == 0
    assert page.locator(".municipalities li").count() == 0
    assert page.locator("a[href='/walk/']").first.is_visible()
    screenshot(page, "landing-finland-360-fi")


@pytest.mark.parametrize(
    ("language", "query", "found"),
    [
        ("fi", "kot", "Kotka"),
        ("fi", "Helsingfors", "Helsinki (Helsingfors)"),
        ("sv", "Helsinki", "Helsingfors (Helsinki)"),
        ("sv", "borgå", "Borgå (Porvoo)"),
        ("en", "091", "Helsinki (Helsingfors)"),
    ],
)
def test_it_finds_a_municipality_by_its_finnish_or_swedish_name_without_javascript(
    page_in, live_server, finland, language, query, found
):
    page = page_in(language, java_script_enabled=False, **PHONE)
    page.goto(live_server.url + "/")
    page.locator("#municipality-search").fill(query)
    page.locator("form.search button[type=submit]").tap()
    page.wait_for_url(lambda url: "?q=" in url)

    results = page.locator(".results li")
    assert results.first.locator(".name").inner_text() == found
    assert results.count() <= 12
    assert page.evaluate("document.scrollingElement.scrollHeight") <= 3 * 740
    if found.startswith("Kotka"):
        assert results.first.locator("a[href='/plan/285/']").is_visible()
    screenshot(page, f"landing-search-{query.lower()}-{language}")


def test_it_says_what_is_wrong_with_a_search(page_in, live_server, finland):
    page = page_in("en", **PHONE)
    page.goto(live_server.url + "/?q=k")
    assert "at least two letters" in page.locator("#search-error").inner_text()
    assert page.locator("#municipality-search").get_attribute("aria-invalid") == "true"
    page.goto(live_server.url + "/?q=Atlantis")
    assert "No municipality matches “Atlantis”" in page.locator(".municipality-search").inner_text()
    page.goto(live_server.url + "/?q=" + "x" * 101)
    assert "at most 100 characters" in page.locator("#search-error").inner_text()
    assert page.locator(".results").count() == 0


def test_it_starts_with_the_latest_active_municipality_when_no_plan_is_published(client, finland):
    """Without a published plan, the municipality observed in last comes first."""
    SafetyPlan.objects.all().delete()
    lamp_out = Category.objects.get(code="lamp_out")
    for code, count in [("091", 2), ("398", 1)]:  # Helsinki, then Lahti
        town = Municipality.objects.get(code=code)
        for _ in range(count):
            Observation.objects.create(
                municipality=town, category=lamp_out, geom=town.geom.point_on_surface
            )
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fi")
    assert page.context["featured"].name == "Lahti"
    assert page.context["featured"].plan_url == ""
    assert [e.name for e in page.context["listed"]] == ["Helsinki"]


def test_it_starts_with_the_signed_in_users_own_municipality(client, finland):
    """A user whose profile names Kotka sees Kotka first, whatever is published elsewhere."""
    from django.contrib.auth import get_user_model

    from walks.models import UserProfile

    user = get_user_model().objects.create_user("kotkalainen", password="pw-kotka-1")
    UserProfile.objects.create(user=user, municipality=Municipality.objects.get(code="285"))
    client.force_login(user)

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fi")

    assert page.context["featured"].name == "Kotka"
