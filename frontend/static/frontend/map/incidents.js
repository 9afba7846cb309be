// SPDX-License-Identifier: EUPL-1.2
// The knowledge base's incidents on the map workspace, of one kind in the latest year of
// data up to the figures' period: the districts coloured by incidents per 1,000 residents,
// as the district picture's `incidents` gives them (the population of that same year; small
// counts hidden from the public as the picture hides them), and the incidents themselves
// in the heat map's grid (/api/v1/heatmap/incidents/, cells of few rows hidden likewise).
import { colourClass, drawCells, ensureDistricts, legendScale, markPaths } from "./layers.js";
import {
  $, apiUrl, config, decimals, figuresPeriod, format, getJSON, numbers, palettes, root, state, text, textNode, viewBox,
} from "./state.js";

const select = $("incident-layer");
const byDistrict = $("incident-rate");
const asHeat = $("incident-heat");
const legend = $("legend-incidents");
const heatLegend = $("legend-incident-heat");
let group = null;
let heatGroup = null;
let heatRequest = null;
let kinds = [];

async function loadKinds() {
  const { start, end } = figuresPeriod();
  const code = encodeURIComponent(state.filters.municipality);
  const picture = await getJSON(apiUrl(config.api.picture.replace("CODE", code), { start, end }));
  kinds = picture.incidents?.kinds || [];
  const chosen = select.value;
  select.replaceChildren(select.options[0]);
  for (const kind of kinds) select.add(new Option(`${kind.name} (${kind.year})`, kind.kind));
  select.value = kinds.some((kind) => kind.kind === chosen) ? chosen : "";
}

const chosenKind = () => kinds.find((each) => each.kind === select.value);

function rateText(row) {
  if (!row || row.rate_per_1000 === null || row.rate_per_1000 === undefined) return select.dataset.hidden;
  return decimals.format(row.rate_per_1000);
}

async function drawRates() {
  if (group) group.clearLayers();
  legend.hidden = true;
  const kind = chosenKind();
  if (!kind || !byDistrict.checked || !state.map) return;
  await ensureDistricts();
  group = group || L.featureGroup().addTo(state.map);
  const rows = Object.fromEntries(kind.districts.map((row) => [row.district.id, row]));
  const values = kind.districts.map((row) => row.rate_per_1000).filter((v) => v !== null);
  const max = Math.max(0, ...values);
  for (const feature of state.districts.features) {
    const row = rows[feature.id];
    const fill = colourClass(row?.rate_per_1000 ?? null, max, palettes.districts);
    const layer = L.geoJSON(feature, {
      pane: "districts",
      style: { color: "#1b1f24", weight: 2, fillColor: fill || "#ffffff", fillOpacity: fill ? 0.6 : 0.25, className: "incident-district" },
    });
    layer.bindPopup(() => textNode("p", `${feature.properties.name}: ${rateText(row)}`));
    layer.addTo(group);
    markPaths(layer, { "data-district": feature.id, "data-value": row?.rate_per_1000 ?? "" });
  }
  legendScale(legend, `${byDistrict.parentElement.textContent.trim()}: ${select.selectedOptions[0].text}`, max, palettes.districts, decimals);
}

// The cells of the view, asked again whenever the view moves.
async function drawHeat() {
  heatRequest?.abort();
  const kind = chosenKind();
  if (!kind || !asHeat.checked || !state.map) {
    if (heatGroup) heatGroup.clearLayers();
    heatLegend.hidden = true;
    delete root.dataset.incidentCells;
    return;
  }
  // The cells drawn stay until the view's new ones arrive: no blank map while panning.
  heatRequest = new AbortController();
  const params = {
    municipality: state.filters.municipality, kind: kind.kind, year: kind.year, bbox: viewBox(), zoom: state.map.getZoom(),
  };
  const data = await getJSON(apiUrl(config.api.incidentHeatmap, params), heatRequest.signal);
  heatGroup = heatGroup || L.featureGroup().addTo(state.map);
  heatGroup.clearLayers();
  const max = drawCells(heatGroup, data.features, {
    palette: palettes.districts, outline: "#3f007d", className: "incident-cell",
    popup: (cell) => textNode("p", format(text.incidentCell, {
      count: numbers.format(cell.properties.weight), density: decimals.format(cell.properties.density),
    })),
    marks: (cell) => ({ "data-cell": cell.id, "data-count": cell.properties.weight }),
  });
  root.dataset.incidentCells = String(data.features.length);
  const title = `${asHeat.parentElement.textContent.trim()}: ${select.selectedOptions[0].text}`;
  legendScale(heatLegend, `${title} (${format(text.cells, { count: numbers.format(data.features.length) })})`, max, palettes.districts, decimals);
}

const ignore = () => {};
const draw = () => Promise.all([drawRates().catch(ignore), drawHeat().catch(ignore)]);
let following = false;

select.addEventListener("focus", () => { if (!kinds.length) loadKinds().catch(ignore); });
select.addEventListener("change", draw);
byDistrict.addEventListener("change", () => drawRates().catch(ignore));
asHeat.addEventListener("change", () => {
  if (!following && state.map) {
    state.map.on("moveend", () => drawHeat().catch(ignore));
    following = true;
  }
  drawHeat().catch(ignore);
});
// Redrawn with the workspace (another municipality or period), once the layer is in use.
new MutationObserver(() => {
  if (root.dataset.ready === "true" && kinds.length) loadKinds().then(draw).catch(ignore);
}).observe(root, { attributes: true, attributeFilter: ["data-ready"] });
