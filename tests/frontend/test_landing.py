# SPDX-License-Identifier: EUPL-1.2
import pytest

from tests.frontend.conftest import screenshot

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
