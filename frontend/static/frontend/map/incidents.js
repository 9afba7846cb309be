// SPDX-License-Identifier: EUPL-1.2
// The knowledge base's incidents on the map workspace: the districts coloured by incidents
// of one kind per 1,000 residents, in the latest year of data up to the figures' period, as
// the district picture's `incidents` gives them (the population of that same year; small
// counts hidden from the public as the picture hides them).
import { colourClass, ensureDistricts, legendScale } from "./layers.js";
import { $, apiUrl, config, decimals, figuresPeriod, getJSON, palettes, root, state, textNode } from "./state.js";

const select = $("incident-layer");
const legend = $("legend-incidents");
let group = null;
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

function rateText(row) {
  if (!row || row.rate_per_1000 === null || row.rate_per_1000 === undefined) return select.dataset.hidden;
  return decimals.format(row.rate_per_1000);
}

async function draw() {
  if (group) group.clearLayers();
  legend.hidden = true;
  const kind = kinds.find((each) => each.kind === select.value);
  if (!kind || !state.map) return;
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
    layer.eachLayer((path) => {
      const element = path.getElement();
      element?.setAttribute("data-district", feature.id);
      element?.setAttribute("data-value", row?.rate_per_1000 ?? "");
    });
  }
  legendScale(legend, select.selectedOptions[0].text, max, palettes.districts, decimals);
}

select.addEventListener("focus", () => { if (!kinds.length) loadKinds().catch(() => {}); });
select.addEventListener("change", () => draw().catch(() => {}));
// Redrawn with the workspace (another municipality or period), once the layer is in use.
new MutationObserver(() => {
  if (root.dataset.ready === "true" && kinds.length) loadKinds().then(draw).catch(() => {});
}).observe(root, { attributes: true, attributeFilter: ["data-ready"] });
