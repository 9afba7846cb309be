# SPDX-License-Identifier: EUPL-1.2
"""The plan's maps, made with folium: a heat map per theme and a district choropleth.

folium writes Leaflet code. Its default page header loads Leaflet, jQuery, Bootstrap and
Font Awesome from CDNs and sets the page's own <html> and <body> styles, so the plan page
takes only each map's <div> and <script> from folium and loads Leaflet itself, from
django-leaflet's static files (see plans/templates/plans/plan.html). The maps' own
default_js/default_css point at the same static files, so even a whole folium document
would ask no other host for anything but the base-map tiles.
"""

import json
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Template

# Sequential colours (ColorBrewer YlOrRd, 5 classes): light = few, dark = many.
BANDS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
NO_DATA = "#9e9e9e"
# Okabe–Ito colours by theme code, told apart with colour-blindness too.
THEME_COLOURS = {
    "lighting": "#f0e442",
    "road_condition": "#e69f00",
    "traffic": "#0072b2",
    "vandalism": "#d55e00",
    "visibility": "#009e73",
    "accessibility": "#56b4e9",
    "feeling": "#cc79a7",
    "other": "#999999",
}
# The district choropleth of the map workspace (ColorBrewer OrRd, 5 classes).
SEQUENTIAL = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"]
# Every map's colours in one place: the plan's maps above, the map workspace's through its
# configuration (frontend.workspace).
PALETTES = {"themes": THEME_COLOURS, "heat": BANDS, "sequential": SEQUENTIAL, "noData": NO_DATA}


@dataclass
class FoliumMap:
    name: str  # used in the PNG's URL: maps/<name>.png
    title: str
    element_id: str
    html: SafeString
    script: SafeString
    legend: list[tuple[str, str]]  # (colour, label)
    note: str = ""


# folium writes tooltip strings into the page as markup: a Tooltip's text inside a
# JavaScript template literal (`…`), a GeoJsonTooltip's fields and aliases into innerHTML.
# Names come from the admin and from imported boundary files, so they go in as text.
_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def as_text(value) -> str:
    """`value` as HTML text that also stays inert inside a JavaScript template literal."""
    return escape(str(value)).translate(_TEMPLATE_LITERAL)


def text_tooltip(
    features: list, fields: list[str], aliases: list[str]
) -> folium.GeoJsonTooltip | None:
    """A GeoJsonTooltip of `fields` (labelled by `aliases`) that shows them as text; none
    for no features (folium refuses fields it cannot find, e.g. before districts exist)."""
    if not features:
        return None
    for feature in features:
        properties = feature["properties"]
        for field in fields:
            properties[field] = as_text(properties[field])
    return folium.GeoJsonTooltip(fields, aliases=[as_text(alias) for alias in aliases])


def base_map(municipality, name: str) -> folium.Map:
    x0, y0, x1, y1 = municipality.geom.extent
    fmap = folium.Map(
        location=[(y0 + y1) / 2, (x0 + x1) / 2],
        zoom_start=12,
        tiles=None,
        control_scale=True,
    )
    # A stable element id, so that the PNG of a map is found by its name.
    fmap._id = name.replace("-", "_")
    fmap.default_js = [("leaflet", static("leaflet/leaflet.js"))]
    fmap.default_css = [("leaflet_css", static("leaflet/leaflet.css"))]
    folium.TileLayer(
        settings.BASEMAP_URL, attr=settings.BASEMAP_ATTRIBUTION, max_zoom=19, name="base"
    ).add_to(fmap)
    fmap.fit_bounds([[y0, x0], [y1, x1]])
    return fmap


def outline(geojson: dict) -> folium.GeoJson:
    return folium.GeoJson(
        geojson,
        style_function=lambda feature: {"color": "#1a1a1a", "weight": 2, "fill": False},
    )


def finished(fmap: folium.Map, name: str, title: str, legend, note="") -> FoliumMap:
    root = fmap.get_root()
    root.render()
    return FoliumMap(
        name=name,
        title=title,
        element_id=fmap.get_name(),
        html=mark_safe(root.html.render()),  # noqa: S308  folium's own markup
        script=mark_safe(root.script.render()),  # noqa: S308  folium's own code
        legend=legend,
        note=note,
    )


def band_of(value: float, top: float) -> int:
    """Five equal bands from 0 to top."""
    if top <= 0:
        return 0
    return min(4, int(value / top * 5))


def band_labels(top: float, unit: str) -> list[tuple[str, str]]:
    step = top / 5
    return [
        (colour, f"{step * i:.0f}–{step * (i + 1):.0f} {unit}") for i, colour in enumerate(BANDS)
    ]


def heat_map(municipality, name: str, title: str, cells: dict, boundary: dict, *, labels):
    """Cells of analysis.heatmap (already without the cells under the public minimum)."""
    fmap = base_map(municipality, name)
    outline(boundary).add_to(fmap)
    features = cells["features"]
    top = max((f["properties"]["count"] for f in features), default=0)
    for feature in features:
        feature["properties"]["band"] = band_of(feature["properties"]["count"], top)
    if features:
        tooltip = text_tooltip(features, ["count"], [labels["count"]])
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            style_function=lambda f: {
                "fillColor": BANDS[f["properties"]["band"]],
                "fillOpacity": 0.7,
                "color": BANDS[f["properties"]["band"]],
                "weight": 0.5,
            },
            tooltip=tooltip,
        ).add_to(fmap)
    legend = band_labels(top, labels["observations"]) if features else []
    return finished(fmap, name, title, legend, note="" if features else labels["empty"])


def choropleth(municipality, name: str, title: str, districts: dict, boundary: dict, *, labels):
    """Districts coloured by their severity-weighted rate per 1,000 residents; a district
    whose figures are hidden (too few observations) or without population is grey."""
    fmap = base_map(municipality, name)
    rates = [
        f["properties"]["rate"]
        for f in districts["features"]
        if f["properties"]["rate"] is not None
    ]
    top = max(rates, default=0)
    for feature in districts["features"]:
        rate = feature["properties"]["rate"]
        feature["properties"]["band"] = -1 if rate is None else band_of(rate, top)
        feature["properties"]["shown"] = labels["hidden"] if rate is None else f"{rate:.1f}"

    def style(feature):
        band = feature["properties"]["band"]
        colour = NO_DATA if band < 0 else BANDS[band]
        return {"fillColor": colour, "fillOpacity": 0.75, "color": "#1a1a1a", "weight": 1}

    tooltip = text_tooltip(
        districts["features"], ["name", "shown"], [labels["district"], labels["rate"]]
    )
    folium.GeoJson(districts, style_function=style, tooltip=tooltip).add_to(fmap)
    outline(boundary).add_to(fmap)
    legend = [*band_labels(top, ""), (NO_DATA, labels["hidden"])]
    return finished(fmap, name, title, legend)


def route_lines(fmap: folium.Map, route: dict | None, track: dict | None):
    """The planned route (dashed) and the recorded track (solid) on `fmap`."""
    if route:
        folium.GeoJson(
            route, style_function=lambda f: {"color": "#0b5394", "weight": 4, "dashArray": "6 4"}
        ).add_to(fmap)
    if track:
        folium.GeoJson(track, style_function=lambda f: {"color": "#6a1b9a", "weight": 3}).add_to(
            fmap
        )


def fit_to(fmap: folium.Map, bounds: list):
    """Show every [lat, lon] of `bounds` (the municipality's extent when there is none)."""
    if bounds:
        fmap.fit_bounds(
            [
                [min(b[0] for b in bounds), min(b[1] for b in bounds)],
                [max(b[0] for b in bounds), max(b[1] for b in bounds)],
            ]
        )


class Points(MacroElement):
    """Many points drawn by one script, each with its tooltip: a circle, or a pin carrying
    its number. folium compiles a template for every element it renders, which for a
    walk's hundreds of findings took seconds; this element's template is compiled once.

    Rows are [lat, lon, label, number or None]; labels go in as text (as_text), the whole
    as JSON, so no name can end the script or run as markup in the tooltip."""

    _template = Template(  # noqa: S701  JSON of escaped text, in a script
        """{% macro script(this, kwargs) %}
(function (map) {
  for (const [lat, lon, label, number] of {{ this.data }}) {
    const digits = String(number).length;
    const point = number === null
      ? L.circleMarker([lat, lon], {{ this.circle }})
      : L.marker([lat, lon], {icon: L.divIcon({
          className: "protocol-pin",
          html: '<span class="pin-number">' + Number(number) + "</span>",
          iconSize: [8 + 7 * digits, 18],
          iconAnchor: [4 + 3.5 * digits, 9],
        })});
    point.bindTooltip(label).addTo(map);
  }
})({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, rows: list, circle: dict | None = None):
        super().__init__()
        self._name = "Points"
        self.data = json.dumps(rows)
        self.circle = json.dumps(circle or {})


def route_map(walk, name: str, title: str, route: dict | None, track: dict | None, points):
    """A walk's planned route, its recorded track and where its findings are."""
    fmap = base_map(walk.municipality, name)
    route_lines(fmap, route, track)
    circle = {"radius": 5, "color": "#b71c1c", "fill": True, "fillOpacity": 0.9}
    rows = [[lat, lon, as_text(label), None] for lon, lat, label in points]
    Points(rows, circle).add_to(fmap)
    bounds = [[lat, lon] for lat, lon, _label, _number in rows]
    for geometry in (route, track):
        if geometry:
            bounds += [[lat, lon] for lon, lat in _positions(geometry)]
    fit_to(fmap, bounds)
    return finished(fmap, name, title, [])


def numbered_map(walk, name: str, title: str, route: dict | None, track: dict | None, pins):
    """Findings as pins carrying their numbers, (number, lon, lat, label) each, over the
    walk's route and track; the view fits the pins."""
    fmap = base_map(walk.municipality, name)
    route_lines(fmap, route, track)
    rows = [[lat, lon, as_text(f"{n}. {label}"), int(n)] for n, lon, lat, label in pins]
    Points(rows).add_to(fmap)
    fit_to(fmap, [[lat, lon] for lat, lon, _label, _number in rows])
    return finished(fmap, name, title, [])


def _positions(geometry: dict):
    coordinates = geometry["coordinates"]
    if geometry["type"] == "LineString":
        return coordinates
    return [p for line in coordinates for p in line]


def as_json(geometry) -> dict:
    return json.loads(geometry.geojson)
