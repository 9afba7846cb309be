# SPDX-License-Identifier: EUPL-1.2
"""The walk protocol in Chromium, on the demo's biggest walk: the number of each finding in
the list is the number of a pin on the map of the same sheet, at the finding's place."""

import html
import re
from collections import Counter

import pytest

from tests.demo.test_demo import load_demo
from tests.plans.test_protocol_sheets import biggest_walk
from walks.models import Observation


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_number_in_the_list_is_the_number_on_the_map(page_in, live_server):
    load_demo()
    walk = biggest_walk()
    page = page_in("en")

    page.goto(f"{live_server.url}/walks/{walk.pk}/protocol/")

    sheets = page.evaluate(
        """() => [...document.querySelectorAll(".sheet")].map((sheet) => {
          const map = window[sheet.querySelector(".folium-map").id];
          const pins = [];
          map.eachLayer((layer) => {
            if (layer instanceof L.Marker) {
              const at = layer.getLatLng();
              pins.push({
                number: Number(layer.getElement().textContent),
                tooltip: layer.getTooltip().getContent(),
                at: [Number(at.lng.toFixed(6)), Number(at.lat.toFixed(6))],
              });
            }
          });
          const listed = [...sheet.querySelectorAll(".finding")].map((item) => ({
            number: Number(item.dataset.number),
            badge: Number(item.querySelector(".pin-number").textContent),
            category: item.closest(".category-group").querySelector("h4").firstChild
              .textContent.replace(" (continued)", "").trim(),
          }));
          return {pins, listed};
        })"""
    )
    public = Observation.objects.readable_by(None).filter(walk=walk)
    assert len(sheets) > 1
    numbers = []
    for sheet in sheets:
        listed = {item["number"]: item for item in sheet["listed"]}
        assert all(item["badge"] == item["number"] for item in sheet["listed"])
        assert sorted(pin["number"] for pin in sheet["pins"]) == sorted(listed)
        for pin in sheet["pins"]:
            tooltip = html.unescape(re.sub(r"<[^>]+>", "", pin["tooltip"])).strip()
            assert tooltip == f"{pin['number']}. {listed[pin['number']]['category']}"
        numbers += sorted(listed)
    assert numbers == list(range(1, public.count() + 1))
    # The pins stand where the findings are.
    pinned = Counter(tuple(pin["at"]) for sheet in sheets for pin in sheet["pins"])
    assert pinned == Counter((round(o.geom.x, 6), round(o.geom.y, 6)) for o in public)
