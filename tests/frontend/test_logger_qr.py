# SPDX-License-Identifier: EUPL-1.2
"""The walk's QR code and poster: for planners and administrators, encoding the join link."""

import re
from datetime import timedelta

import pytest
import segno
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from geo.models import Municipality
from tests.api.conftest import GROUP_ROLES, member
from tests.conftest import box
from tests.frontend.conftest import screenshot
from walks.models import SafetyWalk, WalkParticipant
from walks.roles import PLANNERS_GROUP, STAFF_GROUP

CODE = "QR7M2X9P"


@pytest.fixture
def walk(municipality):
    now = timezone.now()
    return SafetyWalk.objects.create(
        municipality=municipality,
        title="Iltakävely Itä",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        group="residents",
        join_code=CODE,
    )


def user(username, group=None, *, superuser=False, password=None, towns=("285",)):
    """A user; with a group, a member of the municipalities with these codes in its role."""
    User = get_user_model()
    if superuser:
        made = User.objects.create_superuser(username, f"{username}@example.fi", password)
    else:
        made = User.objects.create_user(username, f"{username}@example.fi", password)
    if group:
        made.groups.add(Group.objects.get_or_create(name=group)[0])
        made.is_staff = True  # may open the admin
        made.save()
        for town in Municipality.objects.filter(code__in=towns):
            member(made, town, GROUP_ROLES[group])
    return made


def modules_of(svg: str) -> list[list[bool]]:
    """The dark modules the SVG's QR path draws, read back from its path commands.

    segno draws each run of dark modules in a row as a horizontal stroke (`h n`) half a
    module below the row's top edge, moving with `M`/`m`; the outer path is the white
    background.
    """
    width = int(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))
    scale = int(re.search(r'transform="scale\((\d+)\)"', svg).group(1))
    size = width // scale
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHhVvZz])([^MmHhVvZz]*)", path):
        values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", numbers)]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        elif command == "h":
            for column in range(int(x), int(x + values[0])):
                grid[int(y)][column] = True
            x += values[0]
        else:
            raise AssertionError(f"unexpected path command {command}")
    return grid


def expected_modules(url: str, border: int = 4) -> list[list[bool]]:
    matrix = segno.make(url, error="m", micro=False).matrix
    size = len(matrix) + 2 * border
    grid = [[False] * size for _ in range(size)]
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            grid[row + border][column + border] = bool(dark)
    return grid


def test_it_encodes_the_exact_join_url_for_a_planner(client, walk):
    client.force_login(user("suunnittelija", PLANNERS_GROUP))
    response = client.get(f"/walk/join/{CODE}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    url = f"http://testserver/walk/join/{CODE}/"
    assert modules_of(svg) == expected_modules(url)
    # A different URL would draw another pattern: the comparison can fail.
    assert modules_of(svg) != expected_modules(url.replace(CODE, "QR7M2X9Q"))


def test_it_finds_the_walk_whatever_the_case_of_the_code(client, walk):
    client.force_login(user("yllapito", superuser=True))
    assert client.get(f"/walk/join/{CODE.lower()}/qr.svg").status_code == 200
    assert client.get("/walk/join/NOSUCH22/qr.svg").status_code == 404
    assert client.get("/walk/join/NOSUCH22/poster/").status_code == 404


@pytest.mark.parametrize("page", ["qr.svg", "poster/"])
def test_it_refuses_everyone_but_planners_and_administrators(client, walk, page):
    url = f"/walk/join/{CODE}/{page}"
    # Anonymous, and a participant (a walk key is no sign-in): sent to sign in.
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    participant = WalkParticipant.objects.create(walk=walk, group="residents")
    response = client.get(url, HTTP_AUTHORIZATION=f"Participant {participant.key}")
    assert response.status_code == 302
    # Department staff and a user without a role: refused.
    client.force_login(user("valo", STAFF_GROUP))
    assert client.get(url).status_code == 403
    client.force_login(user("kuka"))
    assert client.get(url).status_code == 403
    # A planner of another municipality: refused.
    make_town_elsewhere()
    client.force_login(user("muualta", PLANNERS_GROUP, towns=("286",)))
    assert client.get(url).status_code == 403
    client.force_login(user("suunnittelija", PLANNERS_GROUP))
    assert client.get(url).status_code == 200
    client.force_login(user("yllapito", superuser=True))
    assert client.get(url).status_code == 200


def test_it_prints_a_poster_with_the_code_and_the_link(client, walk):
    client.force_login(user("suunnittelija", PLANNERS_GROUP))
    page = client.get(f"/walk/join/{CODE}/poster/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Iltakävely Itä" in page
    assert '<p class="poster-code" id="poster-code"' in page and f">{CODE}</p>" in page
    assert f'src="/walk/join/{CODE}/qr.svg"' in page
    assert f"http://testserver/walk/join/{CODE}/" in page
    assert "Scan the QR code" in page


def make_town_elsewhere():
    Municipality.objects.create(
        code="286",
        country="FI",
        name_fi="Muuala",
        national_srid=3067,
        geom=box(27.0, 60.44, 27.08, 60.48),
    )


def test_it_shows_the_qr_code_in_the_admin_to_organisers_only(client, walk):
    change = f"/admin/walks/safetywalk/{walk.pk}/change/"
    client.force_login(user("yllapito", superuser=True))
    page = client.get(change).content.decode()
    assert f'src="/walk/join/{CODE}/qr.svg"' in page
    assert f'href="/walk/join/{CODE}/poster/"' in page
    client.force_login(user("valo", STAFF_GROUP))
    page = client.get(change)
    assert "/qr.svg" not in page.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_shows_the_poster_in_a_browser(page_in, live_server, walk):
    user("yllapito", superuser=True, password="lyhty-test-pw")
    page = page_in("fi", viewport={"width": 800, "height": 1100})
    page.goto(f"{live_server.url}/admin/login/?next=/walk/join/{CODE}/poster/")
    page.locator("#id_username").fill("yllapito")
    page.locator("#id_password").fill("lyhty-test-pw")
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"**/walk/join/{CODE}/poster/")
    qr = page.locator("#poster-qr")
    page.wait_for_function("() => document.getElementById('poster-qr').naturalWidth > 0")
    assert qr.evaluate("img => img.naturalWidth") == qr.evaluate("img => img.naturalHeight")
    assert page.locator("#poster-url").inner_text() == f"{live_server.url}/walk/join/{CODE}/"
    assert page.locator("#poster-code").inner_text() == CODE
    screenshot(page, "walk-poster-fi")
    page.goto(f"{live_server.url}/admin/walks/safetywalk/{walk.pk}/change/")
    page.wait_for_function("() => document.querySelector('img.walk-join-qr')?.naturalWidth > 0")
    screenshot(page, "admin-walk-qr-fi")
