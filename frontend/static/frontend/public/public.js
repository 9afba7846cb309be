// SPDX-License-Identifier: EUPL-1.2
// The public map (/public/): clusters of what the public may read, filters, each
// district's open and fixed figures, the published plan's actions. Only public API calls;
// every name goes into the page as text, never as markup. When the first screen is drawn
// (clusters, the districts' figures, the plan's actions), #public-map gets data-ready="true"
// and the performance mark "lyhty:first-screen" is set (bench/public_map.py measures it).

const config = JSON.parse(document.getElementById("public-config").textContent);
const text = JSON.parse(document.getElementById("public-strings").textContent);
const lang = document.documentElement.lang || "fi";
const $ = (id) => document.getElementById(id);
const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, name) => values[name]);

const map = L.map("public-map").fitBounds(config.bounds);
L.tileLayer(config.basemapUrl, { attribution: config.basemapAttribution, maxZoom: 19 }).addTo(map);
const clusters = L.layerGroup().addTo(map);
const actions = L.layerGroup().addTo(map);
let generation = 0;

function filters() {
  const form = $("public-filters");
  const query = { municipality: config.municipality };
  if (form.theme.value) query.theme = form.theme.value;
  if (form.status.value === "open") query.status = config.openStatuses.join(",");
  else if (form.status.value) query.status = form.status.value;
  if (form.observed_after.value) query.observed_after = form.observed_after.value;
  if (form.fixed.checked) {
    const since = new Date(Date.now() - config.fixedDays * 86400000);
    query.status = "resolved";
    query.updated_since = since.toISOString().slice(0, 10);
  }
  return query;
}

async function getJSON(url, query) {
  const response = await fetch(`${url}?${new URLSearchParams(query)}`, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

async function refresh() {
  const mine = ++generation;
  const b = map.getBounds();
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
    .map((n, i) => Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, n)).toFixed(5)).join(",");
  try {
    const answer = await getJSON(config.clustersUrl, { ...filters(), bbox, zoom: map.getZoom() });
    if (mine !== generation) return;
    clusters.clearLayers();
    for (const feature of answer.features) {
      const [lon, lat] = feature.geometry.coordinates;
      const count = feature.properties.count;
      const marker = L.circleMarker([lat, lon], { radius: 6 + Math.min(18, Math.sqrt(count) * 2), className: "public-cluster" });
      marker.bindTooltip(format(text.cluster, { count: count.toLocaleString(lang) }));
      marker.addTo(clusters);
    }
    $("public-count").textContent = format(text.inView, { count: answer.count.toLocaleString(lang) });
    $("public-count").dataset.count = String(answer.count);
  } catch (error) {
    $("public-count").textContent = format(text.loadFailed, { reason: error.message });
  }
}

async function districts() {
  const picture = await getJSON(config.pictureUrl, {});
  const body = $("public-districts").tBodies[0];
  body.replaceChildren();
  for (const row of picture.districts) {
    const tr = document.createElement("tr");
    const total = row.total || {};
    const cells = [row.district.name, total.open, total.resolved].map((value, i) => {
      const cell = document.createElement(i ? "td" : "th");
      if (!i) cell.scope = "row";
      cell.textContent = value === null || value === undefined ? text.hidden : String(value);
      return cell;
    });
    tr.append(...cells);
    body.append(tr);
  }
}

async function planActions() {
  const plans = await getJSON(config.plansUrl, { municipality: config.municipality });
  const list = plans.results || plans;
  const published = (Array.isArray(list) ? list : []).find((plan) => plan.state === "published");
  if (!published) return;
  const plan = await getJSON(published.url || `${config.plansUrl}${published.id}/`, {});
  const ul = $("public-actions");
  for (const action of plan.actions || []) {
    const li = document.createElement("li");
    li.textContent = action.title;
    ul.append(li);
    if (action.area) {
      L.geoJSON(action.area, { style: { weight: 2, dashArray: "4 4" } })
        .bindTooltip(format(text.action, { title: action.title }))
        .addTo(actions);
    }
  }
}

map.on("moveend", refresh);
$("public-filters").addEventListener("change", refresh);
Promise.all([refresh(), districts().catch(() => {}), planActions().catch(() => {})]).then(() => {
  $("public-map").dataset.ready = "true";
  performance.mark("lyhty:first-screen");
});
