# SPDX-License-Identifier: EUPL-1.2
"""The map workspace colours the districts by incidents per 1,000 residents of the same year
(frontend/map/incidents.js), with the figures of the district picture's `incidents`, and
draws the incidents themselves in the heat map's grid (/api/v1/heatmap/incidents/).

Testilä's traffic accidents of 2024: West 8, East 3; population 2024 (area statistics):
West 4,000, East 5,000, so 8 / 4000 × 1000 = 2.0 and 3 / 5000 × 1000 = 0.6.
"""

import pytest
from django.contrib.gis.geos import Point

from knowledge.models import AreaStatistic, Incident
from tests.frontend.conftest import page_in, screenshot, seeded_taxonomy  # noqa: F401
from tests.frontend.test_map import make_user, sign_in, town  # noqa: F401
from walks.roles import PLANNERS_GROUP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def accidents(town):  # noqa: F811
    """8 accidents in West, 3 in East, in 2024; 4,000 and 5,000 residents that year."""
    for (lon, lat), n in {(26.92, 60.46): 8, (26.96, 60.46): 3}.items():
        for i in range(n):
            Incident.objects.create(
                municipality=town["municipality"], kind="traffic_accident", source="poliisi",
                year=2024, geom=Point(lon + i * 0.0001, lat, srid=4326),
            )  # fmt: skip
    for district, value in [(town["west"], 4000), (town["east"], 5000)]:
        AreaStatistic.objects.create(district=district, name="population", year=2024, value=value)


def planner_chooses_accidents(page_in, live_server):  # noqa: F811
    make_user("suunnittelija", PLANNERS_GROUP)
    page = page_in("en", viewport={"width": 1600, "height": 1000})
    sign_in(page, live_server, "suunnittelija")
    select = page.get_by_label("Incidents from official statistics")
    select.focus()
    page.wait_for_function("() => document.getElementById('incident-layer').options.length > 1")
    select.select_option("traffic_accident")
    return page, select


def test_it_colours_the_districts_by_accidents_per_1000_residents(page_in, live_server, town):  # noqa: F811
    accidents(town)
    page, select = planner_chooses_accidents(page_in, live_server)
    page.wait_for_selector("path.incident-district[data-district]")

    drawn = dict(
        page.eval_on_selector_all(
            "path.incident-district",
            "paths => paths.map(p => [Number(p.dataset.district), Number(p.dataset.value)])",
        )
    )
    assert drawn == {town["west"].pk: 2.0, town["east"].pk: 0.6}
    assert "traffic accident (2024)" in select.locator("option:checked").inner_text()
    assert page.locator("#legend-incidents").is_visible()
    screenshot(page, "map-incidents")


def test_it_draws_the_accidents_as_a_heat_map(page_in, live_server, town):  # noqa: F811
    accidents(town)
    page, _select = planner_chooses_accidents(page_in, live_server)
    page.get_by_label("Incidents per 1,000 residents, by district").uncheck()
    page.get_by_label("Incidents as a heat map").check()
    page.wait_for_selector("path.incident-cell[data-cell]")

    assert page.locator("path.incident-district").count() == 0  # the rates are off
    # Every accident of 2024, in the cells of the view (the workspace may redraw meanwhile).
    page.wait_for_function(
        "() => [...document.querySelectorAll('path.incident-cell')]"
        ".reduce((sum, p) => sum + Number(p.dataset.count), 0) === 11"
    )
    assert page.locator("#legend-incident-heat").is_visible()
    assert "traffic accident (2024)" in page.locator("#legend-incident-heat").inner_text()

    page.get_by_label("Incidents as a heat map").uncheck()
    page.wait_for_function("() => !document.querySelector('path.incident-cell')")
    assert page.locator("#legend-incident-heat").is_hidden()
