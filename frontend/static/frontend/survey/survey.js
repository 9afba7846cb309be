// SPDX-License-Identifier: EUPL-1.2
// The resident survey page: answers are kept on the phone as they are given (IndexedDB,
// the logger's helpers), the map answers are drawn with Leaflet, and the finished answer
// waits in the phone's outbox until the server confirms it, retried when the network
// returns. One answer per phone: a random token made once and kept in the phone.

import { committed, openDatabase, promised } from "../walk/idb.js";
import { keepForOffline } from "../walk/offline.js";

const config = JSON.parse(document.getElementById("survey-config").textContent);
const strings = JSON.parse(document.getElementById("survey-strings").textContent);
const form = document.getElementById("survey-form");
const statusLine = document.getElementById("survey-status");
const errorLine = document.getElementById("survey-error");
const doneNote = document.getElementById("survey-done");
const MAX_DELAY_MS = 60000;
const DEVICE_KEY = "lyhty-survey-device";

function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
}

// --- the phone's storage -----------------------------------------------------------------

const db = openDatabase("lyhty-survey", (database) => {
  database.createObjectStore("drafts", { keyPath: "slug" }); // answers being given
  database.createObjectStore("outbox", { keyPath: "slug" }); // sent, not yet confirmed
  database.createObjectStore("done", { keyPath: "slug" }); // confirmed (or refused for good)
});

async function stored(name, mode, work) {
  const transaction = (await db).transaction([name], mode);
  const result = await work(transaction.objectStore(name));
  await committed(transaction);
  return result;
}
const read = (name) => stored(name, "readonly", (store) => promised(store.get(config.slug)));
const write = (name, value) => stored(name, "readwrite", (store) => store.put({ slug: config.slug, ...value }));
const forget = (name) => stored(name, "readwrite", (store) => store.delete(config.slug));

function deviceToken() {
  let token = localStorage.getItem(DEVICE_KEY);
  if (!token) {
    token = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`.replace(".", "");
    localStorage.setItem(DEVICE_KEY, token);
  }
  return token;
}

// --- the form's answers ------------------------------------------------------------------

const questions = [...form?.querySelectorAll("[data-question].question") || []];
const places = {}; // question code → [{geometry, reason, time_of_day, note}]

function answers() {
  const result = {};
  for (const element of questions) {
    const code = element.dataset.question;
    const kind = element.dataset.kind;
    if (kind.startsWith("map_")) continue;
    if (kind === "multiple") {
      result[code] = [...element.querySelectorAll("input:checked")].map((input) => input.value);
    } else if (kind === "text" || kind === "home_district") {
      result[code] = element.querySelector("textarea, select").value;
    } else {
      const checked = element.querySelector("input:checked");
      if (!checked) continue;
      result[code] = kind.startsWith("safety_") ? Number(checked.value) : checked.value;
    }
  }
  return result;
}

function restoreAnswers(saved) {
  for (const element of questions) {
    const value = saved[element.dataset.question];
    if (value === undefined) continue;
    if (element.dataset.kind === "text" || element.dataset.kind === "home_district") {
      element.querySelector("textarea, select").value = value;
    } else {
      const values = new Set([].concat(value).map(String));
      for (const input of element.querySelectorAll("input")) input.checked = values.has(input.value);
    }
  }
}

function allPlaces() {
  return Object.entries(places).flatMap(([question, list]) =>
    list.filter((p) => p.geometry).map((p) => ({ question, ...p })),
  );
}

let saveTimer = null;
function saveDraft() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(async () => {
    await write("drafts", { answers: answers(), places });
    statusLine.textContent = strings.savedOnPhone;
  }, 200);
}

// --- the maps ----------------------------------------------------------------------------

const maps = {};

function placeName(question, n) {
  return format(config.mapQuestions[question].kind === "map_line" ? strings.stretch : strings.place, { n });
}

function drawPlaces(question) {
  const { map, layer, list } = maps[question];
  layer.clearLayers();
  list.replaceChildren();
  places[question].forEach((place, index) => {
    const latlngs = place.geometry.type === "Point"
      ? [[place.geometry.coordinates[1], place.geometry.coordinates[0]]]
      : place.geometry.coordinates.map(([x, y]) => [y, x]);
    if (place.geometry.type === "Point") L.marker(latlngs[0]).addTo(layer);
    else L.polyline(latlngs, { weight: 6 }).addTo(layer);
    list.append(placeItem(question, place, index));
  });
  const pending = maps[question].pending;
  if (pending.length) L.polyline(pending, { weight: 6, dashArray: "6 6" }).addTo(layer);
  map.invalidateSize();
}

function select(id, label, choices, value, onChange) {
  const wrapper = document.createElement("div");
  const labelElement = document.createElement("label");
  labelElement.htmlFor = id;
  labelElement.textContent = label;
  const element = document.createElement("select");
  element.id = id;
  for (const [code, text] of choices) {
    const option = document.createElement("option");
    option.value = code;
    option.textContent = text;
    element.append(option);
  }
  element.value = value;
  element.addEventListener("change", () => onChange(element.value));
  wrapper.append(labelElement, element);
  return wrapper;
}

function placeItem(question, place, index) {
  const item = document.createElement("li");
  const name = placeName(question, index + 1);
  const heading = document.createElement("p");
  heading.textContent = name;
  const id = `${question}-${index}`;
  const reasons = [["", strings.noReason], ...config.mapQuestions[question].options];
  const reason = select(`${id}-reason`, strings.reason, reasons, place.reason || "", (value) => {
    place.reason = value || null;
    saveDraft();
  });
  const when = select(`${id}-when`, strings.when, config.times, place.time_of_day, (value) => {
    place.time_of_day = value;
    saveDraft();
  });
  const noteLabel = document.createElement("label");
  noteLabel.htmlFor = `${id}-note`;
  noteLabel.textContent = strings.note;
  const note = document.createElement("input");
  note.type = "text";
  note.id = `${id}-note`;
  note.maxLength = 2000;
  note.value = place.note || "";
  note.addEventListener("input", () => {
    place.note = note.value;
    saveDraft();
  });
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = strings.remove;
  remove.setAttribute("aria-label", format(strings.removeLabel, { name }));
  remove.addEventListener("click", () => {
    places[question].splice(index, 1);
    drawPlaces(question);
    saveDraft();
  });
  item.append(heading, reason, when, noteLabel, note, remove);
  return item;
}

function addPlace(question, geometry) {
  places[question].push({ geometry, reason: null, time_of_day: "always", note: "" });
  drawPlaces(question);
  saveDraft();
}

function setUpMap(element) {
  const question = element.dataset.question;
  const kind = element.dataset.kind;
  const container = element.querySelector(".survey-map");
  const map = L.map(container).fitBounds(config.bounds);
  L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.tileAttribution }).addTo(map);
  const layer = L.layerGroup().addTo(map);
  const status = element.querySelector(".map-status");
  const finish = element.querySelector(".finish-stretch");
  maps[question] = { map, layer, list: element.querySelector(".places"), pending: [] };
  places[question] = places[question] || [];
  map.on("click", (event) => {
    const { lat, lng } = event.latlng;
    if (kind === "map_point") {
      addPlace(question, { type: "Point", coordinates: [lng, lat] });
      status.textContent = strings.addedPlace;
      return;
    }
    maps[question].pending.push([lat, lng]);
    finish.hidden = false;
    status.textContent = strings.stretchStarted;
    drawPlaces(question);
  });
  finish?.addEventListener("click", () => {
    const pending = maps[question].pending;
    if (pending.length < 2) {
      status.textContent = strings.stretchTooShort;
      return;
    }
    maps[question].pending = [];
    finish.hidden = true;
    addPlace(question, { type: "LineString", coordinates: pending.map(([lat, lng]) => [lng, lat]) });
    status.textContent = strings.addedPlace;
  });
}

// --- checking and sending ----------------------------------------------------------------

function showErrors(errors) {
  for (const element of form.querySelectorAll(".question > .error")) element.hidden = true;
  let first = null;
  for (const [key, messages] of Object.entries(errors)) {
    const code = key.startsWith("places[") ? allPlaces()[Number(key.slice(7, key.indexOf("]")))]?.question : key;
    const line = code && document.getElementById(`${code}-error`);
    const text = [].concat(messages).join(" ");
    if (line) {
      line.textContent = text;
      line.hidden = false;
      first = first || line.closest(".question");
    } else {
      errorLine.textContent = format(strings.refused, { reason: text });
      errorLine.hidden = false;
    }
  }
  if (first) {
    errorLine.textContent = strings.fixErrors;
    errorLine.hidden = false;
    first.querySelector("input, select, textarea")?.focus();
  }
}

function missing() {
  const errors = {};
  const given = answers();
  for (const element of questions) {
    const required = element.querySelector("[required]");
    if (required && given[element.dataset.question] === undefined) errors[element.dataset.question] = strings.needsAnswer;
  }
  return errors;
}

async function finished(message) {
  await forget("outbox");
  await forget("drafts");
  await write("done", { message });
  showDone(message);
}

function showDone(message) {
  if (form) form.hidden = true;
  doneNote.textContent = message;
  doneNote.hidden = false;
  doneNote.focus();
}

let failures = 0;
let sending = null;
let retryTimer = null;

async function sendOutbox() {
  const waiting = await read("outbox");
  if (!waiting) return;
  if (!navigator.onLine) {
    statusLine.textContent = strings.waiting;
    return;
  }
  statusLine.textContent = strings.sending;
  const response = await fetch(config.submitUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": config.language },
    body: JSON.stringify(waiting.submission),
    credentials: "omit",
  });
  if (response.status >= 500 || response.status === 429) throw new Error(`HTTP ${response.status}`);
  const answer = await response.json().catch(() => ({}));
  if (response.ok) await finished(strings.thanks);
  else if (response.status === 409) await finished([].concat(answer.detail || []).join(" "));
  else {
    // Refused as it is: it goes back to the form to be corrected, and is kept as a draft.
    await forget("outbox");
    form.hidden = false;
    statusLine.textContent = "";
    showErrors(answer);
  }
}

function send() {
  if (sending) return sending;
  clearTimeout(retryTimer);
  sending = sendOutbox()
    .then(() => { failures = 0; })
    .catch(() => {
      failures += 1;
      statusLine.textContent = strings.waiting;
      retryTimer = setTimeout(send, Math.min(MAX_DELAY_MS, 2000 * 2 ** (failures - 1)));
    })
    .finally(() => { sending = null; });
  return sending;
}

async function submit(event) {
  event.preventDefault();
  errorLine.hidden = true;
  const errors = missing();
  if (Object.keys(errors).length) {
    showErrors(errors);
    return;
  }
  const draft = (await read("drafts")) || {};
  const submission = {
    uuid: draft.uuid || crypto.randomUUID(),
    device: deviceToken(),
    language: config.language,
    answers: answers(),
    places: allPlaces(),
  };
  await write("drafts", { answers: submission.answers, places, uuid: submission.uuid });
  await write("outbox", { submission });
  statusLine.textContent = navigator.onLine ? strings.sending : strings.waiting;
  send();
}

async function start() {
  // The page, kept by the survey's service worker for a reload without network.
  keepForOffline(config.swUrl, [location.pathname], config.language);
  const done = await read("done");
  if (done) {
    showDone(done.message || strings.thanks);
    return;
  }
  if (!form) return;
  const draft = await read("drafts");
  if (draft) {
    restoreAnswers(draft.answers || {});
    Object.assign(places, draft.places || {});
    statusLine.textContent = strings.savedOnPhone;
  }
  for (const element of questions.filter((q) => q.dataset.kind.startsWith("map_"))) setUpMap(element);
  for (const question of Object.keys(maps)) drawPlaces(question);
  form.addEventListener("input", (event) => {
    if (!event.target.closest(".places")) saveDraft();
  });
  form.addEventListener("change", (event) => {
    if (!event.target.closest(".places")) saveDraft();
  });
  form.addEventListener("submit", submit);
  window.addEventListener("online", send);
  form.dataset.ready = "true";
  send(); // an answer still waiting from an earlier visit
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
