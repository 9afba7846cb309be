// SPDX-License-Identifier: EUPL-1.2
// The map workspace (/map/): observations on a Leaflet map and in a list, in step; filters,
// layers and the view in the URL; triage of one observation. Everything comes from the
// REST API. When the first screen is drawn (layers and list), #workspace gets
// data-ready="true" and the performance mark "lyhty:first-screen" is set.

const config = JSON.parse(document.getElementById("workspace-config").textContent);
const text = JSON.parse(document.getElementById("workspace-strings").textContent);
const $ = (id) => document.getElementById(id);
const root = $("workspace");
const lang = document.documentElement.lang || "fi";
const numbers = new Intl.NumberFormat(lang);
const decimals = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
const dates = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });

const FILTERS = [
  "municipality", "district", "theme", "category", "status", "observed_after",
  "observed_before", "walk", "light", "positive", "unit",
];
// Okabe–Ito colours, told apart with colour-blindness too; every marker has a dark edge.
const THEME_COLOURS = {
  lighting: "#f0e442", road_condition: "#e69f00", traffic: "#0072b2", vandalism: "#d55e00",
  visibility: "#009e73", accessibility: "#56b4e9", feeling: "#cc79a7", other: "#999999",
};
const SEQUENTIAL = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];
const HEAT = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];
const OPEN = ["new", "confirmed", "assigned", "in_progress"];
const CLOSED_GREY = ["duplicate", "rejected"];
for (const [code, label] of Object.entries(config.statuses)) {
  config.statuses[code] = label.charAt(0).toLocaleUpperCase(lang) + label.slice(1);
}

// Names come from the admin and from imported boundary files: they go into the page as
// text (textContent, DOM nodes), never as markup. tests/frontend/test_hostile_names.py
// keeps it so.
function textNode(tag, content, className = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = content;
  return node;
}

function swatch(colour) {
  const node = textNode("span", "", "swatch");
  node.setAttribute("aria-hidden", "true");
  node.style.background = colour;
  return node;
}

// A template, or [singular, plural] picked by values.count (frontend/strings.py: counted).
function format(template, values) {
  if (Array.isArray(template)) {
    template = template[Number(String(values.count).replace(/\D/g, "")) === 1 ? 0 : 1];
  }
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

// --- state in the URL ---------------------------------------------------------------------

function readState() {
  const query = new URLSearchParams(location.search);
  const state = { filters: {}, layers: new Set(), choropleth: "", base: "", order: "-observed_at" };
  for (const name of FILTERS) if (query.get(name)) state.filters[name] = query.get(name);
  if (!state.filters.municipality && config.municipalities.length) {
    state.filters.municipality = config.municipalities[0].code;
  }
  for (const layer of (query.get("layers") || "").split(",")) if (layer) state.layers.add(layer);
  state.choropleth = ["count", "rate"].includes(query.get("choropleth")) ? query.get("choropleth") : "";
  state.base = query.get("base") === "none" ? "none" : "";
  state.order = query.get("ordering") || "-observed_at";
  state.page = Math.max(1, parseInt(query.get("page") || "1", 10) || 1);
  state.selected = parseInt(query.get("selected") || "", 10) || null;
  const at = (query.get("at") || "").split("/").map(Number);
  state.at = at.length === 3 && at.every(Number.isFinite) ? at : null;
  return state;
}

function stateQuery() {
  const query = new URLSearchParams();
  for (const name of FILTERS) if (state.filters[name]) query.set(name, state.filters[name]);
  if (state.layers.size) query.set("layers", [...state.layers].sort().join(","));
  if (state.choropleth) query.set("choropleth", state.choropleth);
  if (state.base) query.set("base", state.base);
  if (state.order !== "-observed_at") query.set("ordering", state.order);
  if (state.page > 1) query.set("page", state.page);
  if (state.selected) query.set("selected", state.selected);
  if (map) {
    const c = map.getCenter();
    query.set("at", `${map.getZoom()}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
  }
  // Commas stay readable in a shared link.
  return query.toString().replaceAll("%2C", ",").replaceAll("%2F", "/");
}

function remember(push) {
  const url = `${location.pathname}?${stateQuery()}`;
  if (url === location.pathname + location.search) return;
  history[push ? "pushState" : "replaceState"](null, "", url);
}

let state = readState();
let map = null;

// --- the form ----------------------------------------------------------------------------

const form = $("filters");

function showStateInForm() {
  for (const element of form.elements) {
    if (!element.name) continue;
    const value = state.filters[element.name] || "";
    if (element.type === "checkbox") element.checked = value.split(",").includes(element.value);
    else if (element.tagName === "SELECT" && value && ![...element.options].some((o) => o.value === value)) {
      // Options not loaded yet (districts, walks): a placeholder keeps the value.
      element.add(new Option(value, value));
      element.value = value;
    } else element.value = value;
  }
  for (const box of document.querySelectorAll("input[name=layer]")) box.checked = state.layers.has(box.value);
  $("choropleth").value = state.choropleth;
  for (const radio of document.querySelectorAll("input[name=base]")) radio.checked = radio.value === state.base;
  $("ordering").value = state.order;
}

function readForm() {
  const filters = {};
  const data = new FormData(form);
  for (const name of FILTERS) {
    const values = data.getAll(name).filter(Boolean);
    if (values.length) filters[name] = values.join(",");
  }
  return filters;
}

// --- API ---------------------------------------------------------------------------------

async function getJSON(url, signal) {
  const response = await fetch(url, { signal, headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  return response.json();
}

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  return { ok: response.ok, status: response.status, data };
}

function errorText(data) {
  if (!data || typeof data !== "object") return "";
  return Object.entries(data).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(" ") : v}`).join("; ");
}

function apiUrl(path, params) {
  const query = new URLSearchParams(params);
  return `${path}?${query.toString().replaceAll("%2C", ",")}`;
}

function viewBox() {
  const b = map.getBounds();
  const clamp = (v, limit) => Math.max(-limit, Math.min(limit, v));
  return [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)]
    .map((n) => n.toFixed(6)).join(",");
}

// --- map and layers ----------------------------------------------------------------------

const municipalityOf = (code) => config.municipalities.find((m) => m.code === code);

function makeMap() {
  map = L.map("map", {
    zoomControl: false,
    keyboard: true,
    preferCanvas: false,
    minZoom: 3,
    maxZoom: 19,
  });
  L.control.zoom({ zoomInTitle: text.zoomIn, zoomOutTitle: text.zoomOut }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.createPane("districts").style.zIndex = 350;
  map.createPane("heat").style.zIndex = 380;
  map.createPane("walks").style.zIndex = 390;
  return map;
}

const baseLayer = () => L.tileLayer(config.basemapUrl, { attribution: config.basemapAttribution, maxZoom: 19 });
let tiles = null;

function showBase() {
  if (state.base === "none") {
    if (tiles) map.removeLayer(tiles);
    tiles = null;
    root.classList.add("no-basemap");
  } else {
    if (!tiles) tiles = baseLayer().addTo(map);
    root.classList.remove("no-basemap");
  }
}

let points = null;
let clusters = null;
let markers = new Map();
let heat = null;
let districtLayer = null;
let walkLayer = null;
let loadedDistricts = { code: null, features: [] };
let loadedWalks = { code: null, features: [] };
let listRows = [];

function pointStyle(props, selected = false) {
  const status = props.status;
  const open = OPEN.includes(status);
  return {
    radius: selected ? 11 : 7,
    color: selected ? "#0050b3" : "#1b1f24",
    weight: selected ? 4 : open ? 2 : 1.5,
    fillColor: THEME_COLOURS[props.theme] || "#999999",
    fillOpacity: open ? 0.95 : 0.2,
    dashArray: CLOSED_GREY.includes(status) ? "3 3" : null,
  };
}

function drawPoints(features) {
  clusters.clearLayers();
  points.clearLayers();
  markers = new Map();
  for (const f of features) {
    const [lon, lat] = f.geometry.coordinates;
    const marker = L.circleMarker([lat, lon], {
      ...pointStyle(f.properties, f.id === state.selected),
      className: `obs-point status-${f.properties.status} theme-${f.properties.theme}`,
    });
    marker.feature = f;
    marker.bindTooltip(textNode("span", titleOf(f.properties)));
    marker.on("click", () => select(f.id, { from: "map" }));
    marker.addTo(points);
    marker.getElement()?.setAttribute("data-id", f.id);
    markers.set(f.id, marker);
  }
}

function drawClusters(features) {
  points.clearLayers();
  clusters.clearLayers();
  markers = new Map();
  const biggest = Math.max(1, ...features.map((f) => f.properties.count));
  for (const f of features) {
    const [lon, lat] = f.geometry.coordinates;
    const n = f.properties.count;
    const size = Math.round(24 + 22 * Math.sqrt(n / biggest));
    const label = format(text.cluster, { count: numbers.format(n) });
    const count = textNode("span", numbers.format(n));
    count.dataset.count = n;
    const marker = L.marker([lat, lon], {
      icon: L.divIcon({
        className: "cluster",
        html: count,
        iconSize: [size, size],
      }),
      title: label,
      alt: label,
      keyboard: true,
    });
    marker.on("click", () => map.setView([lat, lon], Math.min(map.getZoom() + 2, 19)));
    marker.addTo(clusters);
  }
}

function titleOf(props) {
  const category = config.categories[props.category]?.name || props.category;
  return `#${props.id} ${category} · ${config.statuses[props.status] || props.status}`;
}

function colourClass(value, max, palette) {
  if (value === null || value === undefined || !max) return null;
  return palette[Math.min(palette.length - 1, Math.floor((value / max) * palette.length))];
}

function legendScale(element, title, max, palette, digits) {
  element.hidden = false;
  element.replaceChildren();
  const heading = document.createElement("p");
  heading.className = "legend-title";
  heading.textContent = title;
  element.append(heading);
  const list = document.createElement("ul");
  list.className = "legend-scale";
  palette.forEach((colour, n) => {
    const item = document.createElement("li");
    const low = (max * n) / palette.length;
    const high = (max * (n + 1)) / palette.length;
    item.append(swatch(colour), ` ${digits.format(low)} – ${digits.format(high)}`);
    list.append(item);
  });
  element.append(list);
}

// --- loading -----------------------------------------------------------------------------

let generation = 0;
let controller = null;
let firstScreen = true;

function filterParams() {
  return { ...state.filters };
}

async function refresh({ list = true } = {}) {
  const mine = ++generation;
  controller?.abort();
  controller = new AbortController();
  const signal = controller.signal;
  root.dataset.ready = "false";
  const jobs = [loadObservations(signal, mine)];
  if (list) jobs.push(loadList(signal, mine));
  jobs.push(loadDistricts(signal, mine));
  jobs.push(loadWalks(signal, mine));
  jobs.push(loadHeat(signal, mine));
  try {
    await Promise.all(jobs);
  } catch (error) {
    if (error.name === "AbortError" || mine !== generation) return;
    $("map-count").textContent = format(text.loadFailed, { reason: error.message });
  }
  if (mine !== generation) return;
  root.dataset.ready = "true";
  root.dataset.generation = String(mine);
  if (firstScreen) {
    firstScreen = false;
    performance.mark("lyhty:first-screen");
  }
}

async function loadObservations(signal, mine) {
  const base = { ...filterParams(), bbox: viewBox() };
  const summary = await getJSON(apiUrl(config.api.clusters, { ...base, zoom: map.getZoom() }), signal);
  if (mine !== generation) return;
  const count = $("map-count");
  count.dataset.count = summary.count;
  count.textContent = format(text.inView, { count: numbers.format(summary.count) });
  const hint = $("map-hint");
  if (summary.count > config.pointLimit) {
    drawClusters(summary.features);
    root.dataset.drawn = "clusters";
    if (!picking) { hint.hidden = false; hint.textContent = text.clustered; }
  } else {
    const page = await getJSON(apiUrl(config.api.observations, { ...base, limit: config.pointLimit }), signal);
    if (mine !== generation) return;
    drawPoints(page.features);
    root.dataset.drawn = "points";
    if (!picking) hint.hidden = true;
  }
}

async function loadList(signal, mine) {
  const params = {
    ...filterParams(),
    bbox: viewBox(),
    ordering: state.order,
    limit: config.pageSize,
    offset: (state.page - 1) * config.pageSize,
  };
  const page = await getJSON(apiUrl(config.api.observations, params), signal);
  if (mine !== generation) return;
  const pages = Math.max(1, Math.ceil(page.count / config.pageSize));
  if (state.page > pages) {
    state.page = pages;
    return loadList(signal, mine);
  }
  listRows = page.features;
  const count = $("list-count");
  count.dataset.count = page.count;
  count.textContent = format(text.listCount, { count: numbers.format(page.count) });
  $("page-label").textContent = format(text.page, { page: state.page, pages });
  $("page-previous").disabled = state.page <= 1;
  $("page-next").disabled = state.page >= pages;
  renderList();
}

function renderList() {
  const list = $("list");
  list.replaceChildren();
  if (!listRows.length) {
    const empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = text.noneFound;
    list.append(empty);
    return;
  }
  for (const f of listRows) {
    const p = f.properties;
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "obs-item";
    button.dataset.id = f.id;
    button.setAttribute("aria-pressed", String(f.id === state.selected));
    const title = document.createElement("span");
    title.className = "obs-title";
    title.textContent = titleOf(p);
    const meta = document.createElement("span");
    meta.className = "obs-meta";
    const district = loadedDistricts.features.find((d) => d.id === p.district)?.properties.name;
    meta.textContent = [
      dates.format(new Date(p.observed_at)),
      district,
      p.severity ? `${text.severity} ${p.severity}` : null,
    ].filter(Boolean).join(" · ");
    button.append(swatch(THEME_COLOURS[p.theme] || "#999"), title, meta);
    button.addEventListener("click", () => select(f.id, { from: "list" }));
    item.append(button);
    list.append(item);
  }
}

async function loadDistricts(signal, mine) {
  const code = state.filters.municipality;
  const wanted = state.layers.has("districts") || state.choropleth;
  if (loadedDistricts.code !== code) {
    const data = await getJSON(apiUrl(config.api.districts, { municipality: code, limit: 1000 }), signal);
    if (mine !== generation) return;
    loadedDistricts = { code, features: data.features };
    fillDistrictSelect();
  }
  districtLayer.clearLayers();
  $("legend-choropleth").hidden = true;
  $("district-figures").hidden = true;
  if (!wanted) return;
  let values = {};
  if (state.choropleth) values = await loadPicture(signal);
  if (mine !== generation) return;
  const max = Math.max(0, ...Object.values(values).filter((v) => v !== null));
  for (const feature of loadedDistricts.features) {
    const value = state.choropleth ? values[feature.id] ?? null : null;
    const fill = state.choropleth ? colourClass(value, max, SEQUENTIAL) : null;
    const layer = L.geoJSON(feature, {
      pane: "districts",
      style: {
        color: "#1b1f24",
        weight: 2,
        fillColor: fill || "#ffffff",
        fillOpacity: fill ? 0.6 : state.choropleth ? 0.25 : 0,
        className: "district",
      },
    });
    layer.bindPopup(() => districtPopup(feature, value));
    layer.addTo(districtLayer);
    layer.eachLayer((path) => {
      const element = path.getElement();
      element?.setAttribute("data-district", feature.id);
      if (state.choropleth) element?.setAttribute("data-value", value === null ? "" : String(value));
    });
  }
  if (state.choropleth) {
    const title = state.choropleth === "rate" ? $("choropleth").selectedOptions[0].text : $("choropleth").selectedOptions[0].text;
    legendScale($("legend-choropleth"), title, max, SEQUENTIAL, state.choropleth === "rate" ? decimals : numbers);
    showDistrictFigures(values);
  }
}

function fillDistrictSelect() {
  const select = $("f-district");
  const current = state.filters.district || "";
  select.replaceChildren(select.options[0] || new Option("", ""));
  const first = select.options[0];
  if (first.value !== "") first.value = "";
  for (const f of [...loadedDistricts.features].sort((a, b) => a.properties.name.localeCompare(b.properties.name, lang))) {
    select.add(new Option(f.properties.name, String(f.id)));
  }
  select.value = current;
}

async function loadPicture(signal) {
  const params = {};
  if (state.filters.theme) params.theme = state.filters.theme;
  if (state.filters.observed_after) params.start = state.filters.observed_after;
  if (state.filters.observed_before) params.end = state.filters.observed_before;
  const url = apiUrl(config.api.picture.replace("CODE", encodeURIComponent(state.filters.municipality)), params);
  const picture = await getJSON(url, signal);
  const values = {};
  for (const row of picture.districts) {
    const total = row.total || {};
    values[row.district.id] = state.choropleth === "rate" ? total.rate_per_1000 ?? null : total.observations ?? null;
  }
  return values;
}

function valueText(value) {
  if (value === null || value === undefined) return "–";
  return state.choropleth === "rate" ? decimals.format(value) : numbers.format(value);
}

function showDistrictFigures(values) {
  const body = $("district-figures-body");
  body.replaceChildren();
  $("district-figure-heading").textContent = $("choropleth").selectedOptions[0].text;
  for (const f of loadedDistricts.features) {
    const row = document.createElement("tr");
    row.dataset.district = f.id;
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = f.properties.name;
    const value = document.createElement("td");
    value.textContent = valueText(values[f.id]);
    value.dataset.value = values[f.id] ?? "";
    row.append(name, value);
    if (isPlanner()) {
      const cell = document.createElement("td");
      cell.append(actionButton({ district: f.id, label: format(text.districtTarget, { name: f.properties.name }) }));
      row.append(cell);
    }
    body.append(row);
  }
  $("district-figures").hidden = false;
}

function districtPopup(feature, value) {
  const box = document.createElement("div");
  const p = document.createElement("p");
  const name = feature.properties.name;
  if (!state.choropleth) p.textContent = name;
  else if (value === null) p.textContent = format(text.noValue, { name });
  else p.textContent = format(state.choropleth === "rate" ? text.districtRate : text.districtCount, { name, value: valueText(value) });
  box.append(p);
  if (isPlanner()) box.append(actionButton({ district: feature.id, label: format(text.districtTarget, { name }) }));
  return box;
}

async function loadWalks(signal, mine) {
  walkLayer.clearLayers();
  if (!state.layers.has("walks")) return;
  const code = state.filters.municipality;
  if (loadedWalks.code !== code) {
    const data = await getJSON(apiUrl(config.walksUrl, { municipality: code }), signal);
    if (mine !== generation) return;
    loadedWalks = { code, features: data.features };
  }
  for (const walk of loadedWalks.features) {
    const p = walk.properties;
    for (const [kind, geometry] of [["route", p.route], ["track", p.track]]) {
      if (!geometry) continue;
      const line = L.geoJSON(geometry, {
        pane: "walks",
        style: kind === "route"
          ? { color: "#0050b3", weight: 4, dashArray: "8 6", className: "walk-route" }
          : { color: "#5b2a86", weight: 4, className: "walk-track" },
      });
      line.bindPopup(() => walkPopup(p, kind));
      line.addTo(walkLayer);
      line.eachLayer((path) => path.getElement()?.setAttribute("data-walk", p.id));
    }
  }
}

function walkPopup(p, kind) {
  const box = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = p.title;
  const meta = document.createElement("p");
  meta.textContent = `${text[kind]} · ${dates.format(new Date(p.starts_at))} · ${text.walkState}: ${config.walkStates[p.state] || p.state}`;
  box.append(title, meta);
  const links = document.createElement("p");
  const protocol = document.createElement("a");
  protocol.href = config.protocolUrl.replace("/0/", `/${p.id}/`);
  protocol.textContent = text.protocol;
  links.append(protocol);
  if (isPlanner() && p.join_code) {
    const poster = document.createElement("a");
    poster.href = config.posterUrl.replace("CODE", encodeURIComponent(p.join_code));
    poster.textContent = text.poster;
    links.append(" · ", poster);
  }
  box.append(links);
  return box;
}

async function loadHeat(signal, mine) {
  heat.clearLayers();
  $("legend-heat").hidden = true;
  if (!state.layers.has("heat")) return;
  const params = { ...filterParams(), bbox: viewBox(), zoom: map.getZoom() };
  const data = await getJSON(apiUrl(config.api.heatmap, params), signal);
  if (mine !== generation) return;
  const max = Math.max(0, ...data.features.map((f) => f.properties.density));
  for (const cell of data.features) {
    const layer = L.geoJSON(cell, {
      pane: "heat",
      style: {
        stroke: true, weight: 0.5, color: "#7a0019",
        fillColor: colourClass(cell.properties.density, max, HEAT), fillOpacity: 0.65, className: "heat-cell",
      },
    });
    layer.bindPopup(() => cellPopup(cell));
    layer.addTo(heat);
    layer.eachLayer((path) => {
      const element = path.getElement();
      element?.setAttribute("data-cell", cell.id);
      element?.setAttribute("data-density", cell.properties.density);
      element?.setAttribute("data-count", cell.properties.count);
    });
  }
  root.dataset.heatCells = String(data.features.length);
  legendScale($("legend-heat"), `${$("layer-heat").parentElement.textContent.trim()} (${format(text.cells, { count: numbers.format(data.features.length) })})`, max, HEAT, numbers);
}

function cellPopup(cell) {
  const box = document.createElement("div");
  const p = document.createElement("p");
  p.textContent = format(text.cellInfo, {
    count: numbers.format(cell.properties.count),
    weight: numbers.format(cell.properties.weight),
    density: decimals.format(cell.properties.density),
  });
  box.append(p);
  if (isPlanner()) {
    const label = format(text.cellTarget, { count: numbers.format(cell.properties.count) });
    box.append(actionButton({ area: cell.geometry, label }));
  }
  return box;
}

// --- selection and detail ----------------------------------------------------------------

const isPlanner = () => config.role === "planner" || config.role === "admin";
let picking = null; // the id being marked as a duplicate, while its original is picked
let highlight = null;
let detailFeature = null;

function mayTriage(props) {
  if (isPlanner()) return true;
  if (config.role !== "staff") return false;
  const unit = config.categories[props.category]?.unit;
  return config.myUnits.includes(unit) || config.myUnits.includes(props.responsible_unit);
}

async function select(id, { from } = {}) {
  if (picking && id !== picking) return pickOriginal(id);
  if (picking && id === picking) {
    $("triage-message").textContent = text.duplicateSelf;
    return;
  }
  const previous = state.selected;
  state.selected = id;
  if (previous !== id) remember(true);
  markSelection();
  await showDetail(id, { from });
}

function markSelection() {
  for (const [id, marker] of markers) marker.setStyle(pointStyle(marker.feature.properties, id === state.selected));
  markers.get(state.selected)?.bringToFront();
  for (const button of document.querySelectorAll(".obs-item")) {
    const on = Number(button.dataset.id) === state.selected;
    button.setAttribute("aria-pressed", String(on));
    if (on) button.scrollIntoView({ block: "nearest" });
  }
}

async function showDetail(id, { from } = {}) {
  const panel = $("detail");
  const base = `${config.api.observations}${id}/`;
  let feature, history, photos;
  try {
    [feature, history, photos] = await Promise.all([
      getJSON(base), getJSON(`${base}history/`), getJSON(`${base}photos/`),
    ]);
  } catch (error) {
    panel.hidden = false;
    $("detail-heading").textContent = format(text.loadFailed, { reason: error.message });
    return;
  }
  detailFeature = feature;
  const p = feature.properties;
  panel.hidden = false;
  panel.dataset.id = id;
  panel.dataset.status = p.status;
  $("detail-heading").textContent = titleOf(p);
  const fields = $("detail-fields");
  fields.replaceChildren();
  const district = loadedDistricts.features.find((d) => d.id === p.district)?.properties.name;
  const rows = [
    [text.observed, dates.format(new Date(p.observed_at))],
    [text.district, district],
    [text.severity, p.severity],
    [text.light, config.lights[p.light_condition]],
    [text.positive, p.is_positive ? "✓" : null],
    [text.unit, config.units[p.responsible_unit] || config.units[config.categories[p.category]?.unit]],
    [text.note, p.description],
    [text.proposedFix, p.proposed_fix],
    [text.duplicate, p.duplicate_of ? format(text.duplicateOf, { id: p.duplicate_of }) : null],
  ];
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = String(value);
    fields.append(dt, dd);
  }
  const gallery = $("detail-photos");
  gallery.replaceChildren();
  if (!photos.length) gallery.textContent = text.noPhotos;
  photos.forEach((photo, n) => {
    const link = document.createElement("a");
    link.href = photo.url;
    link.target = "_blank";
    link.rel = "noopener";
    const img = document.createElement("img");
    img.src = photo.thumbnail_url;
    img.alt = format(text.photo, { n: n + 1, id });
    img.loading = "lazy";
    link.append(img);
    gallery.append(link);
  });
  const list = $("detail-history");
  list.replaceChildren();
  if (!history.length) {
    const none = document.createElement("li");
    none.textContent = text.noHistory;
    list.append(none);
  }
  for (const change of history) {
    const item = document.createElement("li");
    const head = document.createElement("span");
    head.className = "change";
    head.textContent = format(text.change, {
      from: config.statuses[change.from_status], to: config.statuses[change.to_status],
    });
    const when = document.createElement("span");
    when.className = "obs-meta";
    const unit = change.to_unit && change.to_unit !== change.from_unit ? ` · ${config.units[change.to_unit]}` : "";
    when.textContent = `${dates.format(new Date(change.changed_at))}${change.changed_by ? ` · ${format(text.by, { user: change.changed_by })}` : ""}${unit}`;
    item.append(head, " ", when);
    if (change.note) {
      const note = document.createElement("p");
      note.className = "history-note";
      note.textContent = change.note;
      item.append(note);
    }
    list.append(item);
  }
  showTriage(p);
  if (!markers.has(id)) {
    highlight?.remove();
    const [lon, lat] = feature.geometry.coordinates;
    highlight = L.circleMarker([lat, lon], { ...pointStyle(p, true), className: "obs-highlight" }).addTo(map);
  } else {
    highlight?.remove();
    highlight = null;
  }
  if (from === "list") {
    const [lon, lat] = feature.geometry.coordinates;
    if (!map.getBounds().contains([lat, lon])) map.panTo([lat, lon]);
    $("detail-heading").focus();
  }
}

function showTriage(p) {
  const triage = $("triage");
  triage.hidden = !mayTriage(p);
  if (triage.hidden) return;
  const select = $("t-status");
  select.replaceChildren();
  const next = (config.transitions[p.status] || []).filter((s) => s !== "duplicate");
  for (const status of next) select.add(new Option(config.statuses[status], status));
  select.disabled = !next.length;
  $("t-unit").value = "";
  $("t-note").value = "";
  $("mark-duplicate").disabled = !(config.transitions[p.status] || []).includes("duplicate");
}

async function transition(id, body) {
  const message = $("triage-message");
  const answer = await postJSON(`${config.api.observations}${id}/transition/`, body);
  if (!answer.ok) {
    message.textContent = format(text.loadFailed, { reason: errorText(answer.data) || answer.status });
    return false;
  }
  message.textContent = format(text.saved, { status: config.statuses[answer.data.properties.status] });
  await showDetail(id);
  await refresh();
  return true;
}

function pickOriginal(original) {
  const id = picking;
  stopPicking();
  const note = $("t-note").value;
  state.selected = id;
  return transition(id, { status: "duplicate", duplicate_of: original, note });
}

function startPicking() {
  picking = state.selected;
  root.classList.add("picking");
  const hint = $("map-hint");
  hint.hidden = false;
  hint.textContent = text.duplicatePick;
  $("triage-message").textContent = text.duplicatePick;
}

function stopPicking(message) {
  picking = null;
  root.classList.remove("picking");
  $("map-hint").hidden = true;
  if (message) $("triage-message").textContent = message;
}

// --- actions from hotspots ---------------------------------------------------------------

let actionTarget = null;

function actionButton(target) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "create-action";
  button.textContent = text.createAction;
  button.addEventListener("click", () => openActionDialog(target));
  return button;
}

async function openActionDialog(target) {
  actionTarget = target;
  const dialog = $("action-dialog");
  $("action-target").textContent = target.label;
  $("action-message").textContent = "";
  const select = $("action-plan");
  select.replaceChildren();
  dialog.showModal();
  try {
    const plans = await getJSON(apiUrl(config.api.plans, { municipality: state.filters.municipality }));
    for (const plan of plans.results || []) select.add(new Option(plan.title, plan.id));
    if (!select.options.length) $("action-message").textContent = text.noPlans;
  } catch (error) {
    $("action-message").textContent = format(text.loadFailed, { reason: error.message });
  }
}

async function createAction(event) {
  event.preventDefault();
  const body = { plan: Number($("action-plan").value), title: $("action-title").value, filters: filterParams() };
  if (actionTarget.district) body.district = actionTarget.district;
  else body.area = actionTarget.area;
  const answer = await postJSON(config.api.actions, body);
  const message = $("action-message");
  message.replaceChildren();
  if (answer.status === 201) {
    message.append(`${text.actionCreated} `);
    const link = document.createElement("a");
    link.href = answer.data.plan_url;
    link.textContent = text.openPlan;
    message.append(link);
  } else {
    message.textContent = format(text.loadFailed, { reason: errorText(answer.data) || answer.status });
  }
}

// --- wiring ------------------------------------------------------------------------------

function fitToFilters() {
  const district = loadedDistricts.features.find((f) => String(f.id) === state.filters.district);
  if (district) {
    map.fitBounds(L.geoJSON(district).getBounds(), { animate: false });
    return;
  }
  const town = municipalityOf(state.filters.municipality);
  if (town) map.fitBounds(town.bounds, { animate: false });
  else map.setView([61.5, 26.0], 6, { animate: false });
}

function legendThemes() {
  const list = $("legend-themes");
  for (const [code, name] of Object.entries(config.themes)) {
    const item = document.createElement("li");
    item.append(swatch(THEME_COLOURS[code] || "#999"), ` ${name}`);
    list.append(item);
  }
}

let moving = false;

async function filtersChanged(event) {
  const before = state.filters;
  state.filters = readForm();
  state.page = 1;
  const refit = before.municipality !== state.filters.municipality || before.district !== state.filters.district;
  if (before.municipality !== state.filters.municipality) {
    delete state.filters.district;
    delete state.filters.walk;
    showStateInForm();
    loadedWalks = { code: null, features: [] };
    await ensureDistricts();
    fillWalkSelect();
  }
  if (refit) {
    moving = true;
    fitToFilters();
    moving = false;
  }
  remember(true);
  await refresh();
}

async function ensureDistricts() {
  const code = state.filters.municipality;
  if (loadedDistricts.code === code) return;
  const data = await getJSON(apiUrl(config.api.districts, { municipality: code, limit: 1000 }));
  loadedDistricts = { code, features: data.features };
  fillDistrictSelect();
}

async function fillWalkSelect() {
  const code = state.filters.municipality;
  const data = await getJSON(apiUrl(config.walksUrl, { municipality: code }));
  const select = $("f-walk");
  const current = state.filters.walk || "";
  const first = select.options[0];
  select.replaceChildren(first);
  for (const walk of data.features) select.add(new Option(walk.properties.title, String(walk.id)));
  select.value = current;
}

function layersChanged() {
  state.layers = new Set([...document.querySelectorAll("input[name=layer]:checked")].map((b) => b.value));
  state.choropleth = $("choropleth").value;
  state.base = document.querySelector("input[name=base]:checked")?.value || "";
  showBase();
  remember(true);
  refresh({ list: false });
}

async function start() {
  makeMap();
  points = L.featureGroup().addTo(map);
  clusters = L.featureGroup().addTo(map);
  heat = L.featureGroup().addTo(map);
  districtLayer = L.featureGroup().addTo(map);
  walkLayer = L.featureGroup().addTo(map);
  legendThemes();
  showStateInForm();
  showBase();
  if (state.at) map.setView([state.at[1], state.at[2]], state.at[0], { animate: false });
  else fitToFilters();
  await ensureDistricts();
  fillWalkSelect();
  if (!state.at && state.filters.district) fitToFilters();
  remember(false);

  form.addEventListener("change", filtersChanged);
  form.addEventListener("reset", () => setTimeout(filtersChanged, 0));
  $("layers").addEventListener("change", layersChanged);
  for (const radio of document.querySelectorAll("input[name=base]")) radio.addEventListener("change", layersChanged);
  $("ordering").addEventListener("change", () => {
    state.order = $("ordering").value;
    state.page = 1;
    remember(true);
    loadList(undefined, generation);
  });
  $("page-previous").addEventListener("click", () => { state.page -= 1; remember(true); loadList(undefined, generation); });
  $("page-next").addEventListener("click", () => { state.page += 1; remember(true); loadList(undefined, generation); });
  $("detail-close").addEventListener("click", () => {
    const id = state.selected;
    state.selected = null;
    $("detail").hidden = true;
    highlight?.remove();
    markSelection();
    remember(true);
    document.querySelector(`.obs-item[data-id="${id}"]`)?.focus();
  });
  $("triage").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { status: $("t-status").value, note: $("t-note").value };
    if ($("t-unit").value) body.unit = $("t-unit").value;
    transition(state.selected, body);
  });
  $("mark-duplicate").addEventListener("click", startPicking);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && picking) stopPicking(text.duplicateCancelled);
  });
  $("action-form").addEventListener("submit", createAction);
  $("action-cancel").addEventListener("click", () => $("action-dialog").close());
  map.on("moveend", () => {
    if (moving) return;
    remember(false);
    state.page = 1;
    refresh();
  });
  window.addEventListener("popstate", async () => {
    state = readState();
    showStateInForm();
    showBase();
    await ensureDistricts();
    moving = true;
    if (state.at) map.setView([state.at[1], state.at[2]], state.at[0], { animate: false });
    else fitToFilters();
    moving = false;
    await refresh();
    if (state.selected) showDetail(state.selected);
    else $("detail").hidden = true;
  });
  await refresh();
  if (state.selected) {
    markSelection();
    showDetail(state.selected);
  }
}

if (window.L) start();
else window.addEventListener("load", start);
