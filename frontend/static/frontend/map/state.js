// SPDX-License-Identifier: EUPL-1.2
// The map workspace's one state object, what the URL holds of it, the page's configuration
// and strings (frontend/workspace.py), and small helpers every module shares: formatting,
// the REST API, and elements that carry data as text.

export const config = JSON.parse(document.getElementById("workspace-config").textContent);
export const text = JSON.parse(document.getElementById("workspace-strings").textContent);
export const $ = (id) => document.getElementById(id);
export const root = $("workspace");
export const lang = document.documentElement.lang || "fi";
export const numbers = new Intl.NumberFormat(lang);
export const decimals = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
export const dates = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });

// Statuses, their groups and the palettes come from the server (walks.models, plans.maps).
export const { statusGroups, palettes } = config;
for (const [code, label] of Object.entries(config.statuses)) {
  config.statuses[code] = label.charAt(0).toLocaleUpperCase(lang) + label.slice(1);
}
export const themeColour = (code) => palettes.themes[code] || palettes.other;

const FILTERS = [
  "municipality", "district", "theme", "category", "status", "observed_after",
  "observed_before", "walk", "light", "positive", "unit", "source", "moderation",
];

// Everything the page knows and changes. The first part is what the URL holds (readURL);
// the rest is the page's own: the map and its layers, what is loaded, what is going on.
export const state = {
  filters: {},
  layers: new Set(),
  choropleth: "",
  base: "",
  points: true, // observations drawn as points (or clusters); the heat map lies above them
  period: null, // the figures' period {start, end} when chosen on the page; null: the default
  order: "-observed_at",
  page: 1,
  selected: null,
  at: null,

  map: null,
  tiles: null, // the base map's layer, while it is shown
  groups: null, // Leaflet feature groups: points, clusters, heat, districts, walks
  markers: new Map(), // observation id → its circle marker
  highlight: null, // the selected observation's marker when it is not among the points
  districts: { code: null, features: [] }, // the municipality's, once loaded
  walks: { code: null, features: [] },
  listRows: [],
  generation: 0, // each refresh counts up; answers to an older one are dropped
  controller: null, // aborts the requests of the refresh before
  firstScreen: true,
  moving: false, // the page moves the map itself: no refresh for that move
  popupPan: false, // a popup pans the map to show itself: no refresh either
  picking: null, // the observation being marked a duplicate, while its original is picked
  actionTarget: null, // the hotspot the action dialog is for
  actionKey: null, // the action dialog's request key: one action per dialog
};

// Whether the user organises (plans, actions, join codes) in the municipality shown:
// walks.roles says, per municipality, in the config.
export const isPlanner = () =>
  config.municipalities.some((town) => town.code === state.filters.municipality && town.organises);

// Names come from the admin and from imported boundary files: they go into the page as
// text (textContent, DOM nodes), never as markup. tests/frontend/test_hostile_names.py
// and test_no_markup_from_data.py keep it so.
export function textNode(tag, content, className = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = content;
  return node;
}

export function swatch(colour) {
  const node = textNode("span", "", "swatch");
  node.setAttribute("aria-hidden", "true");
  node.style.background = colour;
  return node;
}

// A template, or [singular, plural] picked by values.count (frontend/strings.py: counted).
export function format(template, values) {
  if (Array.isArray(template)) {
    template = template[Number(String(values.count).replace(/\D/g, "")) === 1 ? 0 : 1];
  }
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

export function titleOf(props) {
  const category = config.categories[props.category]?.name || props.category;
  return `#${props.id} ${category} · ${config.statuses[props.status] || props.status}`;
}

export const districtName = (id) => state.districts.features.find((d) => d.id === id)?.properties.name;

// Modules tell the page what happened; the page (workspace.js) decides what follows.
export const announce = (name, detail) => root.dispatchEvent(new CustomEvent(name, { detail }));

// --- state in the URL ---------------------------------------------------------------------

export function readURL() {
  const query = new URLSearchParams(location.search);
  const view = { filters: {}, layers: new Set(), choropleth: "", base: "", order: "-observed_at" };
  view.points = query.get("points") !== "off";
  const [start, end] = (query.get("period") || "").split("/");
  view.period = ISO_DAY.test(start) && ISO_DAY.test(end) && start < end ? { start, end } : null;
  for (const name of FILTERS) if (query.get(name)) view.filters[name] = query.get(name);
  if (!view.filters.municipality && config.municipalities.length) {
    view.filters.municipality = config.municipalities[0].code;
  }
  for (const layer of (query.get("layers") || "").split(",")) if (layer) view.layers.add(layer);
  view.choropleth = ["count", "rate"].includes(query.get("choropleth")) ? query.get("choropleth") : "";
  view.base = query.get("base") === "none" ? "none" : "";
  view.order = query.get("ordering") || "-observed_at";
  view.page = Math.max(1, parseInt(query.get("page") || "1", 10) || 1);
  view.selected = parseInt(query.get("selected") || "", 10) || null;
  const at = (query.get("at") || "").split("/").map(Number);
  view.at = at.length === 3 && at.every(Number.isFinite) ? at : null;
  return Object.assign(state, view);
}

function stateQuery() {
  const query = new URLSearchParams();
  for (const name of FILTERS) if (state.filters[name]) query.set(name, state.filters[name]);
  if (state.layers.size) query.set("layers", [...state.layers].sort().join(","));
  if (state.choropleth) query.set("choropleth", state.choropleth);
  if (state.base) query.set("base", state.base);
  if (!state.points) query.set("points", "off");
  if (state.period) query.set("period", `${state.period.start}/${state.period.end}`);
  if (state.order !== "-observed_at") query.set("ordering", state.order);
  if (state.page > 1) query.set("page", state.page);
  if (state.selected) query.set("selected", state.selected);
  if (state.map) {
    const c = state.map.getCenter();
    query.set("at", `${state.map.getZoom()}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
  }
  // Commas stay readable in a shared link.
  return query.toString().replaceAll("%2C", ",").replaceAll("%2F", "/");
}

export function remember(push) {
  const url = `${location.pathname}?${stateQuery()}`;
  if (url === location.pathname + location.search) return;
  history[push ? "pushState" : "replaceState"](null, "", url);
}

// The form's filters, as the API's query parameters.
export function readForm(form) {
  const filters = {};
  const data = new FormData(form);
  for (const name of FILTERS) {
    const values = data.getAll(name).filter(Boolean);
    if (values.length) filters[name] = values.join(",");
  }
  return filters;
}

export const filterParams = () => ({ ...state.filters });

// --- the figures' period ------------------------------------------------------------------

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

// Days as ISO text ("2026-12-05"): `end` is the day after the last one, as the API has it.
export function addDays(day, n) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

// The municipality's default: its plan's period as the plan page shows it, or the last
// 12 months (frontend/workspace.py).
export const defaultPeriod = () => config.periods[state.filters.municipality] || config.defaultPeriod;
export const figuresPeriod = () => state.period || defaultPeriod();

// --- API ---------------------------------------------------------------------------------

// A failure is thrown as an Error whose message says what went wrong in the page's words
// (an aborted request stays an AbortError).
export async function getJSON(url, signal) {
  let response;
  try {
    response = await fetch(url, { signal, headers: { Accept: "application/json" }, credentials: "same-origin" });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new Error(text.offline);
  }
  if (!response.ok) {
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    throw new Error(failureText({ status: response.status, data }));
  }
  return response.json();
}

// A failed request answers {ok: false, status: 0}: the caller says so in words.
export async function postJSON(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, data: null };
  }
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  return { ok: response.ok, status: response.status, data };
}

// The server's messages (already in the page's language), without field names or JSON.
export function errorText(data) {
  if (typeof data === "string") return data;
  if (Array.isArray(data)) return data.map(errorText).filter(Boolean).join(" ");
  if (data && typeof data === "object") return Object.values(data).map(errorText).filter(Boolean).join(" ");
  return "";
}

// Why a postJSON answer failed, in words: the server's messages, or what happened.
export function failureText(answer) {
  if (answer.status === 0) return text.offline;
  return errorText(answer.data) || format(text.serverError, { status: answer.status });
}

export function apiUrl(path, params) {
  const query = new URLSearchParams(params);
  return `${path}?${query.toString().replaceAll("%2C", ",")}`;
}

export function viewBox() {
  const b = state.map.getBounds();
  const clamp = (v, limit) => Math.max(-limit, Math.min(limit, v));
  return [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)]
    .map((n) => n.toFixed(6)).join(",");
}
