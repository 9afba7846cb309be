// SPDX-License-Identifier: EUPL-1.2
// The map and its layers: the base map, observations as points (or the server's clusters
// when too many are in view), district boundaries and the choropleth with its table, walk
// routes and tracks, and the heat map above the points with its top hotspots, each with its
// legend and popups.
import { actionButton } from "./actions.js";
import {
  $, addDays, announce, apiUrl, config, dates, decimals, figuresPeriod, filterParams, format, getJSON,
  isPlanner, lang, numbers, palettes, root, state, statusGroups, swatch, text, textNode, themeColour,
  titleOf, viewBox,
} from "./state.js";

const municipalityOf = (code) => config.municipalities.find((m) => m.code === code);

export function makeMap() {
  const map = L.map("map", {
    zoomControl: false,
    keyboard: true,
    preferCanvas: false,
    minZoom: 3,
    maxZoom: 19,
  });
  L.control.zoom({ zoomInTitle: text.zoomIn, zoomOutTitle: text.zoomOut }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.createPane("districts").style.zIndex = 350;
  map.createPane("walks").style.zIndex = 390;
  // Above the points (overlayPane, 400): a hotspot is seen, and clicked, whatever lies under it.
  map.createPane("heat").style.zIndex = 450;
  state.map = map;
  state.groups = {};
  for (const name of ["points", "clusters", "heat", "districts", "walks"]) {
    state.groups[name] = L.featureGroup().addTo(map);
  }
  return map;
}

const baseLayer = () => L.tileLayer(config.basemapUrl, { attribution: config.basemapAttribution, maxZoom: 19 });

export function showBase() {
  if (state.base === "none") {
    if (state.tiles) state.map.removeLayer(state.tiles);
    state.tiles = null;
    root.classList.add("no-basemap");
  } else {
    if (!state.tiles) state.tiles = baseLayer().addTo(state.map);
    root.classList.remove("no-basemap");
  }
}

export function fitToFilters() {
  const district = state.districts.features.find((f) => String(f.id) === state.filters.district);
  if (district) {
    state.map.fitBounds(L.geoJSON(district).getBounds(), { animate: false });
    return;
  }
  const town = municipalityOf(state.filters.municipality);
  if (town) state.map.fitBounds(town.bounds, { animate: false });
  else state.map.setView([61.5, 26.0], 6, { animate: false });
}

// --- observations ------------------------------------------------------------------------

export function pointStyle(props, selected = false) {
  const status = props.status;
  const open = statusGroups.open.includes(status);
  return {
    radius: selected ? 11 : 7,
    color: selected ? "#0050b3" : "#1b1f24",
    weight: selected ? 4 : open ? 2 : 1.5,
    fillColor: themeColour(props.theme),
    fillOpacity: open ? 0.95 : 0.2,
    dashArray: statusGroups.dashed.includes(status) ? "3 3" : null,
  };
}

function drawPoints(features) {
  const { points, clusters } = state.groups;
  clusters.clearLayers();
  points.clearLayers();
  state.markers = new Map();
  for (const f of features) {
    const [lon, lat] = f.geometry.coordinates;
    const marker = L.circleMarker([lat, lon], {
      ...pointStyle(f.properties, f.id === state.selected),
      className: `obs-point status-${f.properties.status} theme-${f.properties.theme}`,
    });
    marker.feature = f;
    marker.bindTooltip(textNode("span", titleOf(f.properties)));
    marker.on("click", () => announce("lyhty:pick", { id: f.id, from: "map" }));
    marker.addTo(points);
    marker.getElement()?.setAttribute("data-id", f.id);
    state.markers.set(f.id, marker);
  }
}

function drawClusters(features) {
  const { points, clusters } = state.groups;
  points.clearLayers();
  clusters.clearLayers();
  state.markers = new Map();
  const biggest = Math.max(1, ...features.map((f) => f.properties.count));
  for (const f of features) {
    const [lon, lat] = f.geometry.coordinates;
    const n = f.properties.count;
    const size = Math.round(24 + 22 * Math.sqrt(n / biggest));
    const label = format(text.cluster, { count: numbers.format(n) });
    const count = textNode("span", numbers.format(n));
    count.dataset.count = n;
    const marker = L.marker([lat, lon], {
      icon: L.divIcon({ className: "cluster", html: count, iconSize: [size, size] }),
      title: label,
      alt: label,
      keyboard: true,
    });
    marker.on("click", () => state.map.setView([lat, lon], Math.min(state.map.getZoom() + 2, 19)));
    marker.addTo(clusters);
  }
}

export async function loadObservations(signal, mine) {
  const base = { ...filterParams(), bbox: viewBox() };
  const summary = await getJSON(apiUrl(config.api.clusters, { ...base, zoom: state.map.getZoom() }), signal);
  if (mine !== state.generation) return;
  const count = $("map-count");
  count.dataset.count = summary.count;
  count.textContent = format(text.inView, { count: numbers.format(summary.count) });
  const hint = $("map-hint");
  if (!state.points) {
    state.groups.points.clearLayers();
    state.groups.clusters.clearLayers();
    state.markers = new Map();
    root.dataset.drawn = "none";
    if (!state.picking) hint.hidden = true;
  } else if (summary.count > config.pointLimit) {
    drawClusters(summary.features);
    root.dataset.drawn = "clusters";
    if (!state.picking) { hint.hidden = false; hint.textContent = text.clustered; }
  } else {
    const page = await getJSON(apiUrl(config.api.observations, { ...base, limit: config.pointLimit }), signal);
    if (mine !== state.generation) return;
    drawPoints(page.features);
    root.dataset.drawn = "points";
    if (!state.picking) hint.hidden = true;
  }
}

// --- legends -----------------------------------------------------------------------------

export function colourClass(value, max, palette) {
  if (value === null || value === undefined || !max) return null;
  return palette[Math.min(palette.length - 1, Math.floor((value / max) * palette.length))];
}

export function legendScale(element, title, max, palette, digits) {
  element.hidden = false;
  element.replaceChildren(textNode("p", title, "legend-title"));
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

export function legendThemes() {
  const list = $("legend-themes");
  for (const [code, name] of Object.entries(config.themes)) {
    const item = document.createElement("li");
    item.append(swatch(themeColour(code)), ` ${name}`);
    list.append(item);
  }
}

// --- districts ---------------------------------------------------------------------------

// The municipality's districts, fetched once however many of the first screen's requests
// wait for them (the list for its district names, the districts layer for its shapes).
let districtsComing = { code: null, promise: null };

export function ensureDistricts() {
  const code = state.filters.municipality;
  if (state.districts.code === code) return Promise.resolve();
  if (districtsComing.code !== code) {
    const promise = getJSON(apiUrl(config.api.districts, { municipality: code, limit: 1000 }))
      .then((data) => {
        if (state.filters.municipality !== code) return;
        state.districts = { code, features: data.features };
        fillDistrictSelect();
      })
      .finally(() => {
        if (districtsComing.promise === promise) districtsComing = { code: null, promise: null };
      });
    districtsComing = { code, promise };
  }
  return districtsComing.promise;
}

export async function loadDistricts(signal, mine) {
  const wanted = state.layers.has("districts") || state.choropleth;
  // The figures are asked for at once, beside the districts' shapes, not after them.
  const picture = wanted && state.choropleth ? loadPicture(signal) : Promise.resolve({});
  picture.catch(() => {}); // its failure is reported below, when it is awaited
  await ensureDistricts();
  if (mine !== state.generation) return;
  state.groups.districts.clearLayers();
  $("legend-choropleth").hidden = true;
  $("district-figures").hidden = true;
  if (!wanted) return;
  const values = await picture;
  if (mine !== state.generation) return;
  const max = Math.max(0, ...Object.values(values).filter((v) => v !== null));
  for (const feature of state.districts.features) {
    const value = state.choropleth ? values[feature.id] ?? null : null;
    const fill = state.choropleth ? colourClass(value, max, palettes.districts) : null;
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
    layer.addTo(state.groups.districts);
    markPaths(layer, state.choropleth
      ? { "data-district": feature.id, "data-value": value === null ? "" : String(value) }
      : { "data-district": feature.id });
  }
  if (state.choropleth) {
    const title = $("choropleth").selectedOptions[0].text;
    legendScale($("legend-choropleth"), title, max, palettes.districts, state.choropleth === "rate" ? decimals : numbers);
    showDistrictFigures(values);
  }
}

function fillDistrictSelect() {
  const select = $("f-district");
  const current = state.filters.district || "";
  select.replaceChildren(select.options[0] || new Option("", ""));
  const first = select.options[0];
  if (first.value !== "") first.value = "";
  const byName = [...state.districts.features].sort((a, b) => a.properties.name.localeCompare(b.properties.name, lang));
  for (const f of byName) select.add(new Option(f.properties.name, String(f.id)));
  select.value = current;
}

// The figures are for the period on the page (figuresPeriod), not for the date filters.
async function loadPicture(signal) {
  const { start, end } = figuresPeriod();
  const params = { start, end };
  if (state.filters.theme) params.theme = state.filters.theme;
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
  $("district-figures-period").textContent = periodText(figuresPeriod());
  // The actions column: only where the user organises (the municipality shown decides).
  $("district-actions-heading").hidden = !isPlanner();
  for (const f of state.districts.features) {
    const row = document.createElement("tr");
    row.dataset.district = f.id;
    const name = textNode("th", f.properties.name);
    name.scope = "row";
    const value = textNode("td", valueText(values[f.id]));
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

const dayFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" });

export function periodText({ start, end }) {
  const day = (iso) => dayFormat.format(new Date(`${iso}T00:00:00Z`));
  return format(text.period, { start: day(start), last: day(addDays(end, -1)) });
}

function districtPopup(feature, value) {
  const box = document.createElement("div");
  const name = feature.properties.name;
  let line = name;
  if (state.choropleth && value === null) line = format(text.noValue, { name });
  else if (state.choropleth) {
    line = format(state.choropleth === "rate" ? text.districtRate : text.districtCount, { name, value: valueText(value) });
  }
  box.append(textNode("p", line));
  if (isPlanner()) box.append(actionButton({ district: feature.id, label: format(text.districtTarget, { name }) }));
  return box;
}

// --- walks -------------------------------------------------------------------------------

export async function loadWalks(signal, mine) {
  state.groups.walks.clearLayers();
  if (!state.layers.has("walks")) return;
  const code = state.filters.municipality;
  if (state.walks.code !== code) {
    const data = await getJSON(apiUrl(config.walksUrl, { municipality: code }), signal);
    if (mine !== state.generation) return;
    state.walks = { code, features: data.features };
  }
  for (const walk of state.walks.features) {
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
      line.addTo(state.groups.walks);
      line.eachLayer((path) => path.getElement()?.setAttribute("data-walk", p.id));
    }
  }
}

function walkPopup(p, kind) {
  const box = document.createElement("div");
  const meta = `${text[kind]} · ${dates.format(new Date(p.starts_at))} · ${text.walkState}: ${config.walkStates[p.state] || p.state}`;
  box.append(textNode("strong", p.title), textNode("p", meta));
  const links = document.createElement("p");
  const protocol = textNode("a", text.protocol);
  protocol.href = config.protocolUrl.replace("/0/", `/${p.id}/`);
  links.append(protocol);
  if (isPlanner() && p.join_code) {
    const poster = textNode("a", text.poster);
    poster.href = config.posterUrl.replace("CODE", encodeURIComponent(p.join_code));
    links.append(" · ", poster);
  }
  box.append(links);
  return box;
}

// --- heat map ----------------------------------------------------------------------------

// The attributes a layer's drawn paths carry (what the tests and the styles read).
export function markPaths(layer, attributes) {
  layer.eachLayer((path) => {
    const element = path.getElement();
    for (const [name, value] of Object.entries(attributes)) element?.setAttribute(name, value);
  });
}

// Heat-map cells (the heat map's GeoJSON cells, each with a `density`) drawn into `group`
// in the heat pane, coloured by density on `palette`; `popup(cell)` gives a cell's popup,
// `marks(cell)` the attributes its path carries. Returns the densest cell's density.
export function drawCells(group, cells, { palette, outline, className, popup, marks }) {
  const max = Math.max(0, ...cells.map((cell) => cell.properties.density));
  for (const cell of cells) {
    const layer = L.geoJSON(cell, {
      pane: "heat",
      style: {
        stroke: true, weight: 0.5, color: outline,
        fillColor: colourClass(cell.properties.density, max, palette), fillOpacity: 0.65, className,
      },
    });
    layer.bindPopup(() => popup(cell));
    layer.addTo(group);
    markPaths(layer, marks(cell));
  }
  return max;
}

export async function loadHeat(signal, mine) {
  state.groups.heat.clearLayers();
  $("legend-heat").hidden = true;
  $("hotspots").hidden = true;
  if (!state.layers.has("heat")) return;
  const params = { ...filterParams(), bbox: viewBox(), zoom: state.map.getZoom() };
  const data = await getJSON(apiUrl(config.api.heatmap, params), signal);
  if (mine !== state.generation) return;
  const max = drawCells(state.groups.heat, data.features, {
    palette: palettes.heat, outline: "#7a0019", className: "heat-cell", popup: cellPopup,
    marks: (cell) => ({ "data-cell": cell.id, "data-density": cell.properties.density, "data-count": cell.properties.count }),
  });
  root.dataset.heatCells = String(data.features.length);
  showHotspots(data.features);
  const title = `${$("layer-heat").parentElement.textContent.trim()} (${format(text.cells, { count: numbers.format(data.features.length) })})`;
  legendScale($("legend-heat"), title, max, palettes.heat, numbers);
}

function cellPopup(cell) {
  const box = document.createElement("div");
  box.append(textNode("p", format(text.cellInfo, {
    count: numbers.format(cell.properties.count),
    weight: numbers.format(cell.properties.weight),
    density: decimals.format(cell.properties.density),
  })));
  if (isPlanner()) {
    const label = format(text.cellTarget, { count: numbers.format(cell.properties.count) });
    box.append(actionButton({ area: cell.geometry, label }));
  }
  return box;
}

// The densest cells in view, densest first; a click zooms to one.
function showHotspots(cells) {
  const list = $("hotspot-list");
  list.replaceChildren();
  const top = [...cells]
    .sort((a, b) => b.properties.density - a.properties.density || b.properties.count - a.properties.count)
    .slice(0, config.hotspots);
  for (const cell of top) {
    const button = textNode("button", format(text.hotspot, {
      count: numbers.format(cell.properties.count),
      density: decimals.format(cell.properties.density),
    }), "hotspot");
    button.type = "button";
    button.dataset.cell = cell.id;
    button.addEventListener("click", () => {
      state.map.fitBounds(L.geoJSON(cell).getBounds(), { maxZoom: Math.max(state.map.getZoom(), 16) });
    });
    const item = document.createElement("li");
    item.append(button);
    list.append(item);
  }
  $("hotspots").hidden = !top.length;
}
