# SPDX-License-Identifier: EUPL-1.2
"""Security headers on every page, a Content-Security-Policy no page violates, and sign-in
throttled per account and per address.

The browser test opens every kind of page (front page, logger, report page, public map,
survey, privacy page, map workspace, plan, protocol, admin with a map widget, API docs, OGC
pages) with the policy that production
sends, and fails on any violation the browser reports (`securitypolicyviolation` events
and console errors alike). How it was checked: with `nonce="{{ CSP_NONCE }}"` taken off the
plan page's map scripts it fails on /plan/285/ ("script-src").
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.utils import timezone

from surveys.template import from_template
from tests.api.conftest import make_walk
from tests.conftest import WEST
from tests.frontend.conftest import screenshot
from tests.plans.conftest import make_plan
from walks.models import Category, Observation

PASSWORD = "lyhty-test-1"  # noqa: S105 - a test account on the test server
NONCE = re.compile(r"'nonce-([^']+)'")


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/", "/walk/", "/login/", "/api/docs/", "/ogc/"])
def test_every_page_sends_the_headers(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    # 'self', and the response's nonce when the page has an inline script
    assert policy["script-src"][0] == "'self'"
    assert all(NONCE.match(source) for source in policy["script-src"][1:])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    geolocation = "geolocation=(self)" if path == "/walk/" else "geolocation=()"
    assert response["Permissions-Policy"].startswith(geolocation)
    assert "camera=()" in response["Permissions-Policy"]


def test_inline_scripts_carry_the_nonce_of_their_response(client, municipality):
    make_plan(municipality)
    response = client.get("/plan/285/")
    nonce = NONCE.search(response["Content-Security-Policy"])[1]
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    executable = [attributes for attributes in inline if "application/json" not in attributes]
    assert executable, "the plan page has its map scripts inline"
    assert all(f'nonce="{nonce}"' in attributes for attributes in executable)
    assert NONCE.search(client.get("/plan/285/")["Content-Security-Policy"])[1] != nonce


def test_the_base_map_server_may_send_tiles(client, db):
    policy = directives(client.get("/"))
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert policy["connect-src"] == ["'self'", "https://tile.openstreetmap.org"]


VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_page_violates_the_policy(page_in, live_server, municipality, settings):
    settings.DEBUG = False
    get_user_model().objects.create_superuser("aino", "aino@example.fi", PASSWORD)
    walk = make_walk(municipality)
    make_plan(municipality)
    observation = Observation.objects.create(
        municipality=municipality,
        walk=walk,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(*WEST, srid=4326),
    )
    today = timezone.localdate()
    survey = from_template(municipality, "kysely", today, today + timedelta(days=30))
    page = page_in("fi")
    page.add_init_script(VIOLATIONS)

    def visit(path):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == [], path

    for path in [
        "/",
        "/walk/",
        f"/walk/join/{walk.join_code}/",
        "/report/",
        "/public/",
        f"/survey/{survey.slug}/",
        f"/privacy/{municipality.code}/",
        "/ogc/",
        "/login/",
    ]:
        visit(path)
    page.get_by_label("Käyttäjätunnus").fill("aino")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url("**/map/**")
    for path in [
        "/map/?base=none",
        "/plan/285/",
        f"/walks/{walk.pk}/protocol/",
        "/admin/",
        f"/admin/walks/observation/{observation.pk}/change/",
        "/api/docs/",
        "/ogc/collections/observations/items?f=html",
    ]:
        visit(path)
    # The admin's map widget really ran under the policy: Leaflet drew its map.
    page.goto(f"{live_server.url}/admin/walks/observation/{observation.pk}/change/")
    assert page.locator(".leaflet-container").count() >= 1
    screenshot(page, "csp-admin-map-widget")


# --- sign-in throttling -----------------------------------------------------------------


@pytest.fixture
def aino(db):
    return get_user_model().objects.create_user("aino", "aino@example.fi", PASSWORD)


def sign_in(client, path, password, username="aino", address="203.0.113.7"):
    return client.post(
        path,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="fi",
    )


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_it_refuses_the_right_password_after_five_wrong_ones(client, aino, path):
    for _ in range(5):
        assert sign_in(client, path, "arvaus").status_code == 200
    response = sign_in(client, path, PASSWORD)

    assert response.status_code == 200  # the form again, not the redirect of a sign-in
    assert "Liian monta epäonnistunutta kirjautumista" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_counts_failures_per_address_across_accounts(client, aino, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for name in ["eero", "sanni", "ville"]:
        sign_in(client, "/login/", "arvaus", username=name)
    refused = sign_in(client, "/login/", PASSWORD)
    assert "Liian monta" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    elsewhere = sign_in(client, "/login/", PASSWORD, address="198.51.100.4")
    assert elsewhere.status_code == 302
    assert client.session["_auth_user_id"] == str(aino.pk)


def test_a_sign_in_clears_the_accounts_failures(client, aino):
    for _ in range(4):
        sign_in(client, "/login/", "arvaus")
    assert sign_in(client, "/login/", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "/login/", "arvaus")
    assert sign_in(client, "/login/", PASSWORD).status_code == 302
