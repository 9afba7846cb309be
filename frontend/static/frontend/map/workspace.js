// SPDX-License-Identifier: EUPL-1.2
// The map workspace (/map/): observations on a Leaflet map and in a list, in step; filters,
// layers and the view in the URL; triage of one observation. Everything comes from the
// REST API. This module wires the page: the filter form, the refresh of what is shown, the
// history; the rest is in state.js (the one state object), layers.js, list.js, detail.js
// and actions.js. When the first screen is drawn (layers and list), #workspace gets
// data-ready="true" and the performance mark "lyhty:first-screen" is set.
import { wireActionDialog } from "./actions.js";
import { wireModeration } from "./moderation.js";
import { closeDetail, markSelection, select, showDetail, startPicking, stopPicking, transition } from "./detail.js";
import {
  ensureDistricts, fitToFilters, legendThemes, loadDistricts, loadHeat, loadObservations, loadWalks,
  makeMap, periodText, showBase,
} from "./layers.js";
import { loadList } from "./list.js";
import {
  $, addDays, apiUrl, config, defaultPeriod, figuresPeriod, format, getJSON, readForm, readURL, remember, root,
  state, text,
} from "./state.js";

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
  $("layer-points").checked = state.points;
  showPeriod();
  for (const radio of document.querySelectorAll("input[name=base]")) radio.checked = radio.value === state.base;
  $("ordering").value = state.order;
}

// Reload what the filters, the layers and the view show. An answer to an older refresh is
// dropped (state.generation), and its requests are aborted.
async function refresh({ list = true } = {}) {
  const mine = ++state.generation;
  state.controller?.abort();
  state.controller = new AbortController();
  const signal = state.controller.signal;
  root.dataset.ready = "false";
  const jobs = [loadObservations(signal, mine)];
  if (list) jobs.push(loadList(signal, mine));
  jobs.push(loadDistricts(signal, mine), loadWalks(signal, mine), loadHeat(signal, mine));
  try {
    await Promise.all(jobs);
  } catch (error) {
    if (error.name === "AbortError" || mine !== state.generation) return;
    $("map-count").textContent = format(text.loadFailed, { reason: error.message });
  }
  if (mine !== state.generation) return;
  root.dataset.ready = "true";
  root.dataset.generation = String(mine);
  if (state.firstScreen) {
    state.firstScreen = false;
    performance.mark("lyhty:first-screen");
  }
}

// The figures' period: the default (the plan's) unless one is chosen; shown as its first
// and last day. The date inputs are found by name: frontend/dates.js gives their ids to the
// text fields it puts in front of them.
const periodStart = document.querySelector("#period input[name=period_start]");
const periodLast = document.querySelector("#period input[name=period_last]");

function showPeriod(message) {
  const period = figuresPeriod();
  periodStart.value = period.start;
  periodLast.value = addDays(period.end, -1);
  const fallback = defaultPeriod();
  let source = fallback.plan ? format(text.planPeriod, { plan: fallback.plan }) : text.yearPeriod;
  if (state.period) source = text.chosenPeriod;
  $("period-source").textContent = message || `${periodText(period)}. ${source}`;
  $("period-reset").hidden = !state.period;
}

function periodChanged() {
  const start = periodStart.value;
  const last = periodLast.value;
  if (!start || !last || start > last) {
    showPeriod(text.periodInvalid);
    return;
  }
  const chosen = { start, end: addDays(last, 1) };
  const fallback = defaultPeriod();
  state.period = chosen.start === fallback.start && chosen.end === fallback.end ? null : chosen;
  showPeriod();
  remember(true);
  refresh({ list: false });
}

function resetPeriod() {
  state.period = null;
  showPeriod();
  remember(true);
  refresh({ list: false });
}

function toggleFilters(open = root.dataset.filters !== "open") {
  root.dataset.filters = open ? "open" : "closed";
  $("toggle-filters").setAttribute("aria-expanded", String(open));
  // The map's size changes with the layout: Leaflet measures it again.
  state.map.invalidateSize();
}

// Move the map without the move itself refreshing (the caller refreshes).
function moveQuietly(move) {
  state.moving = true;
  move();
  state.moving = false;
}

async function filtersChanged() {
  const before = state.filters;
  state.filters = readForm(form);
  state.page = 1;
  const refit = before.municipality !== state.filters.municipality || before.district !== state.filters.district;
  if (before.municipality !== state.filters.municipality) {
    delete state.filters.district;
    delete state.filters.walk;
    state.period = null; // the new municipality's plan
    showStateInForm();
    state.walks = { code: null, features: [] };
    await ensureDistricts();
    fillWalkSelect();
  }
  if (refit) moveQuietly(fitToFilters);
  remember(true);
  await refresh();
}

async function fillWalkSelect() {
  const data = await getJSON(apiUrl(config.walksUrl, { municipality: state.filters.municipality }));
  const select = $("f-walk");
  const current = state.filters.walk || "";
  select.replaceChildren(select.options[0]);
  for (const walk of data.features) select.add(new Option(walk.properties.title, String(walk.id)));
  select.value = current;
}

function layersChanged() {
  state.layers = new Set([...document.querySelectorAll("input[name=layer]:checked")].map((b) => b.value));
  state.choropleth = $("choropleth").value;
  state.points = $("layer-points").checked;
  state.base = document.querySelector("input[name=base]:checked")?.value || "";
  showBase();
  remember(true);
  refresh({ list: false });
}

function showView() {
  if (state.at) state.map.setView([state.at[1], state.at[2]], state.at[0], { animate: false });
  else fitToFilters();
}

function turnPage(step) {
  state.page += step;
  remember(true);
  loadList(undefined, state.generation);
}

function wire() {
  form.addEventListener("change", filtersChanged);
  form.addEventListener("reset", () => setTimeout(filtersChanged, 0));
  $("layers").addEventListener("change", layersChanged);
  periodStart.addEventListener("change", periodChanged);
  periodLast.addEventListener("change", periodChanged);
  $("period-reset").addEventListener("click", resetPeriod);
  $("toggle-filters").addEventListener("click", () => toggleFilters());
  for (const radio of document.querySelectorAll("input[name=base]")) radio.addEventListener("change", layersChanged);
  $("ordering").addEventListener("change", () => {
    state.order = $("ordering").value;
    state.page = 1;
    remember(true);
    loadList(undefined, state.generation);
  });
  $("page-previous").addEventListener("click", () => turnPage(-1));
  $("page-next").addEventListener("click", () => turnPage(1));
  $("detail-close").addEventListener("click", closeDetail);
  $("triage").addEventListener("submit", (event) => {
    event.preventDefault();
    // Only what was chosen is sent: without a status the observation keeps its own.
    const body = { note: $("t-note").value };
    if ($("t-status").value) body.status = $("t-status").value;
    if ($("t-unit").value) body.unit = $("t-unit").value;
    if (!body.status && !body.unit && !body.note.trim()) {
      $("triage-message").textContent = text.nothingToSave;
      return;
    }
    transition(state.selected, body);
  });
  $("mark-duplicate").addEventListener("click", startPicking);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.picking) stopPicking(text.duplicateCancelled);
  });
  wireActionDialog();
  wireModeration();
  // What the modules announce: an observation picked on the map or in the list, a change saved.
  root.addEventListener("lyhty:pick", (event) => select(event.detail.id, { from: event.detail.from }));
  root.addEventListener("lyhty:changed", () => refresh());
  // A popup pans the map to fit itself in: that move keeps what is drawn, since redrawing
  // the layers would close the popup it was made for.
  state.map.on("autopanstart", () => { state.popupPan = true; });
  state.map.on("moveend", () => {
    if (state.moving) return;
    remember(false);
    if (state.popupPan) {
      state.popupPan = false;
      return;
    }
    state.page = 1;
    refresh();
  });
  window.addEventListener("popstate", async () => {
    readURL();
    showStateInForm();
    showBase();
    await ensureDistricts();
    moveQuietly(showView);
    await refresh();
    if (state.selected) showDetail(state.selected);
    else $("detail").hidden = true;
  });
}

async function start() {
  readURL();
  makeMap();
  legendThemes();
  showStateInForm();
  showBase();
  showView();
  // Only a view fitted to a district waits for the districts' shapes; otherwise they come
  // with the first screen's other requests.
  if (!state.at && state.filters.district) {
    await ensureDistricts();
    fitToFilters();
  }
  fillWalkSelect();
  remember(false);
  wire();
  await refresh();
  if (state.selected) {
    markSelection();
    showDetail(state.selected);
  }
}

if (window.L) start();
else window.addEventListener("load", start);
