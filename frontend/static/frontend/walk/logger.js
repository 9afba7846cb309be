// SPDX-License-Identifier: EUPL-1.2
// The phone logger: join a walk by its code, then one tap on a category saves a point
// where the phone is. Points go to the outbox (IndexedDB) first and upload from there.
import { keepForOffline } from "./offline.js";
import { Outbox } from "./outbox.js";
import { MyPoints } from "./points.js";
import { TrackRecorder } from "./track.js";

const config = JSON.parse(document.getElementById("logger-config").textContent);
const strings = JSON.parse(document.getElementById("logger-strings").textContent);
const language = document.documentElement.lang;
const storageKey = `lyhty:walk:${config.code}`;
const POOR_FIX_M = 50;
const DOUBLE_TAP_MS = 1000;

const $ = (id) => document.getElementById(id);
// A template, or [singular, plural] picked by values.count (frontend/strings.py: counted).
const say = (text, values = {}) =>
  (Array.isArray(text) ? text[values.count === 1 ? 0 : 1] : text).replace(/%\((\w+)\)s/g, (_, name) => values[name]);

function remembered(key, fallback = null) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

// ---- join ----

let joinReady = false;

// The join form; `rejoin` when the server refused this phone's key: what waits is kept.
function showJoin(rejoin = false) {
  $("join").hidden = false;
  $("rejoin-note").hidden = !rejoin;
  if (rejoin) {
    $("log").hidden = true;
    $("my-points").hidden = true;
    $("join-heading").focus();
  }
  if (joinReady) return;
  joinReady = true;
  $("join-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const error = $("join-error");
    error.hidden = true;
    const body = {
      code: config.code,
      display_name: form.display_name.value.trim(),
      group: form.group.value,
      privacy_accepted: form.privacy_accepted.checked,
    };
    let answer;
    let response;
    try {
      response = await fetch(config.joinUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": language },
        body: JSON.stringify(body),
        credentials: "omit",
      });
      answer = await response.json();
    } catch {
      response = null;
    }
    if (!response || response.status !== 201) {
      const messages = answer ? Object.values(answer).flat().filter((m) => typeof m === "string") : [];
      error.textContent = messages.length ? messages.join(" ") : strings.joinFailed;
      error.hidden = false;
      return;
    }
    localStorage.setItem(storageKey, JSON.stringify({ key: answer.key, walk: config.walkId }));
    localStorage.setItem(`${storageKey}:feature`, JSON.stringify(answer.walk));
    $("join").hidden = true;
    if (outbox) {
      // Joined again: the same outbox and track go on with the new key.
      $("log").hidden = false;
      announce(strings.rejoined);
      outbox.useKey(answer.key);
      recorder.useKey(answer.key);
    } else startLogging(answer.key);
  });
}

// ---- the map ----

let map;
let here = null; // {lat, lon, accuracy}
let youMarker;
let accuracyCircle;
let chosenPlace = null; // a map tap before logging: the next point goes there
let chosenMarker = null;
let waitingForTap = null; // a category chosen without a position: logged where the map is tapped
let active = null; // the point just logged: {uuid, feature, marker}
let following = true; // the map keeps the participant in view until they move it
const FIX_TIMEOUT_MS = 15000;

// The last confirmation, on top of the map (an aria-live region that never scrolls away).
function announce(text) {
  $("saved-message").textContent = text;
}

const pin = (className) => L.divIcon({ className: `pin ${className}`, iconSize: [28, 28], iconAnchor: [14, 28] });

function setupMap() {
  map = L.map("map", { zoomControl: true, attributionControl: true }).setView([61.5, 26.0], 6);
  map.attributionControl.setPrefix(false); // room on a small phone; the tiles' credit stays
  L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.tileAttribution }).addTo(map);
  const feature = remembered(`${storageKey}:feature`);
  if (feature) drawRoute(feature);
  fetch(config.walkUrl, { headers: { "Accept-Language": language } })
    .then((r) => (r.ok ? r.json() : null))
    .then((fresh) => {
      if (!fresh) return;
      localStorage.setItem(`${storageKey}:feature`, JSON.stringify(fresh));
      if (!feature) drawRoute(fresh);
    })
    .catch(() => {});
  map.on("click", (event) => placeByTap(event.latlng));
  map.on("dragstart", () => { following = false; });
  // The panel below the map changes height (themes loaded, details opened): Leaflet must
  // know, or "you are here" ends up under the panel.
  new ResizeObserver(() => {
    map.invalidateSize();
    if (here && following && !active && !chosenPlace) map.panTo([here.lat, here.lon], { animate: false });
  }).observe($("map"));
  if ("geolocation" in navigator) {
    // Blocked, or no answer within the timeout: the participant places points by tapping.
    navigator.geolocation.watchPosition(onPosition, onPositionError, {
      enableHighAccuracy: true,
      maximumAge: 10000,
      timeout: FIX_TIMEOUT_MS,
    });
  } else positionBlocked = true;
  showPositionNote();
}

let positionBlocked = false;

function onPositionError(error) {
  if (error.code === error.PERMISSION_DENIED) {
    positionBlocked = true;
    here = null;
    youMarker?.remove();
    accuracyCircle?.remove();
    youMarker = accuracyCircle = null;
    delete $("map").dataset.position;
  }
  showPositionNote();
}

let route;
function drawRoute(feature) {
  if (!feature.geometry || route) return;
  route = L.geoJSON(feature, { style: { color: "#ffd54a", weight: 5, dashArray: "8 6" }, interactive: false }).addTo(map);
  if (!here) map.fitBounds(route.getBounds(), { padding: [20, 20] });
}

function onPosition(position) {
  const first = !here;
  here = { lat: position.coords.latitude, lon: position.coords.longitude, accuracy: position.coords.accuracy };
  positionBlocked = false;
  recorder?.add(position.coords);
  const latlng = [here.lat, here.lon];
  $("map").dataset.position = `${here.lat.toFixed(5)},${here.lon.toFixed(5)}`;
  if (!youMarker) {
    accuracyCircle = L.circle(latlng, { radius: here.accuracy, color: "#4fc3f7", weight: 1, fillOpacity: 0.15, interactive: false }).addTo(map);
    youMarker = L.circleMarker(latlng, {
      radius: 9, color: "#000", weight: 3, fillColor: "#4fc3f7", fillOpacity: 1, interactive: false, className: "you-are-here",
    })
      .bindTooltip(strings.you)
      .addTo(map);
  } else {
    youMarker.setLatLng(latlng);
    accuracyCircle.setLatLng(latlng).setRadius(here.accuracy);
  }
  if (first) map.setView(latlng, 17);
  else if (following && !active && !chosenPlace && !map.getBounds().pad(-0.2).contains(latlng)) map.panTo(latlng);
  showPositionNote();
}

function showPositionNote() {
  const note = $("position-note");
  $("map").classList.toggle("wants-tap", Boolean(waitingForTap));
  if (chosenPlace) note.hidden = true;
  else if (!here) {
    note.textContent = positionBlocked ? strings.noLocation : strings.noFix;
    note.hidden = false;
  } else if (here.accuracy > POOR_FIX_M) {
    note.textContent = say(strings.poorFix, { metres: Math.round(here.accuracy) });
    note.hidden = false;
  } else note.hidden = true;
}

function placeByTap(latlng) {
  if (active) {
    active.marker.setLatLng(latlng);
    moveActive(latlng);
    return;
  }
  chosenPlace = latlng;
  if (waitingForTap) {
    logPoint(waitingForTap);
    return;
  }
  if (chosenMarker) chosenMarker.setLatLng(latlng);
  else chosenMarker = L.marker(latlng, { icon: pin("pin-chosen"), keyboard: false }).addTo(map);
  showPositionNote();
}

function point(latlng) {
  const round = (value) => Math.round(value * 1e7) / 1e7;
  return { type: "Point", coordinates: [round(latlng.lng), round(latlng.lat)] };
}

function moveActive(latlng) {
  active.feature.geometry = point(latlng);
  active.feature.properties.position_source = "map";
  delete active.feature.properties.accuracy_m;
  outbox.save(active.uuid, active.feature);
  announce(strings.moved);
}

// ---- categories ----

let categories = [];
let themes = [];

async function loadCategories() {
  const cacheKey = `lyhty:categories:${language}`;
  const get = (url) => fetch(url, { headers: { "Accept-Language": language } }).then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  });
  try {
    [themes, categories] = await Promise.all([get(config.themesUrl), get(config.categoriesUrl)]);
    localStorage.setItem(cacheKey, JSON.stringify({ themes, categories }));
  } catch {
    ({ themes, categories } = remembered(cacheKey, { themes: [], categories: [] }));
  }
  categories = categories.filter((c) => c.active !== false);
  themes = themes.filter((t) => categories.some((c) => c.theme === t.code)).sort((a, b) => a.order - b.order);
  const box = $("themes");
  box.replaceChildren(
    ...themes.map((theme) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "theme";
      button.dataset.theme = theme.code;
      button.append(pictogram(`theme-${theme.code}`), label(theme.name));
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", () => chooseTheme(theme.code));
      return button;
    }),
  );
  if (themes.length) chooseTheme(themes[0].code);
}

// A symbol of walk_pictograms.svg (the category's icon, else its theme's), in a round badge.
function pictogram(name) {
  const known = document.getElementById(`pict-${name}`) ? name : "theme-other";
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.dataset.pictogram = known;
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `#pict-${known}`);
  svg.append(use);
  return svg;
}

function label(text) {
  const span = document.createElement("span");
  span.className = "label";
  span.textContent = language === "fi" ? finnishSyllables(text) : text;
  return span;
}

// Soft hyphens between Finnish syllables (a new syllable starts at a consonant followed by a
// vowel: "Lii·ken·ne·tur·val·li·suus"), so that long compounds break where a reader expects.
// Browsers without a Finnish dictionary for `hyphens: auto` would otherwise cut anywhere.
const VOWEL = /[aeiouyäöå]/i;
function finnishSyllables(text) {
  return text.replace(/\p{L}{8,}/gu, (word) => {
    let out = word.slice(0, 2);
    for (let i = 2; i < word.length; i++) {
      const breaks = i <= word.length - 2 && !VOWEL.test(word[i]) && VOWEL.test(word[i + 1]) && VOWEL.test(out);
      out += (breaks ? "\u00ad" : "") + word[i];
    }
    return out;
  });
}

function chooseTheme(code) {
  for (const button of $("themes").children) {
    const chosen = button.dataset.theme === code;
    button.setAttribute("aria-pressed", String(chosen));
    if (chosen) button.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  const buttons = categories
    .filter((c) => c.theme === code)
    .sort((a, b) => a.order - b.order)
    .map((category) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `category${category.is_positive ? " positive" : ""}`;
      button.dataset.category = category.code;
      const icon = document.getElementById(`pict-${category.icon}`) ? category.icon : `theme-${category.theme}`;
      button.append(pictogram(icon), label(category.name));
      button.addEventListener("click", () => logPoint(category));
      return button;
    });
  $("category-buttons").replaceChildren(...buttons);
}

// ---- logging ----

let lastLog = 0;

function logPoint(category) {
  const now = Date.now();
  if (active && now - lastLog < DOUBLE_TAP_MS) return; // a double tap, or a glove's bounce
  lastLog = now;
  finishDetails();
  if (!here && !chosenPlace) {
    // No position: never a silent point at the map's centre; the next map tap places it.
    waitingForTap = category;
    announce(say(strings.tapForPoint, { category: category.name }));
    showPositionNote();
    return;
  }
  waitingForTap = null;
  const byGps = here && !chosenPlace;
  const latlng = chosenPlace || L.latLng(here.lat, here.lon);
  const uuid = crypto.randomUUID();
  const properties = {
    uuid,
    category: category.code,
    observed_at: new Date().toISOString(),
    position_source: byGps ? "gps" : "map",
    is_positive: Boolean(category.is_positive),
  };
  if (byGps) properties.accuracy_m = Math.round(here.accuracy * 10) / 10;
  properties.light_condition = lightAt(new Date(), latlng.lat, latlng.lng);
  const feature = { type: "Feature", geometry: point(latlng), properties };
  if (chosenMarker) chosenMarker.remove();
  chosenMarker = null;
  chosenPlace = null;
  const marker = L.marker(latlng, { icon: pin("pin-active"), draggable: true, keyboard: false }).addTo(map);
  active = { uuid, feature, marker, category };
  marker.on("dragend", () => active && active.marker === marker && moveActive(marker.getLatLng()));
  outbox.save(uuid, feature);
  openDetails(category);
  showPositionNote();
}

function openDetails(category) {
  const form = $("details");
  form.reset();
  form.querySelector(`[name=is_positive][value="${Boolean(category.is_positive)}"]`).checked = true;
  const light = form.querySelector(`[name=light_condition][value="${active.feature.properties.light_condition}"]`);
  if (light) light.checked = true;
  announce(say(navigator.onLine ? strings.saved : strings.savedOffline, { category: category.name }));
  $("categories").hidden = true;
  form.hidden = false;
  // The second tap of a double tap must not land on what just appeared under the finger.
  form.inert = true;
  setTimeout(() => { form.inert = false; }, 500);
}

function finishDetails() {
  if (!active) return;
  const form = $("details");
  const properties = active.feature.properties;
  const before = JSON.stringify(properties);
  properties.is_positive = form.is_positive.value === "true";
  for (const name of ["severity", "perceived_safety"]) {
    const value = form[name].value;
    if (value) properties[name] = Number(value);
  }
  if (form.light_condition.value) properties.light_condition = form.light_condition.value;
  const note = form.description.value.trim();
  if (note) properties.description = note;
  if (JSON.stringify(properties) !== before) {
    outbox.save(active.uuid, active.feature);
    announce(strings.detailsSaved);
  }
  active.marker.dragging.disable();
  active.marker.setIcon(pin("pin-logged"));
  active = null;
  form.hidden = true;
  $("categories").hidden = false;
}

// ---- light: daylight, dusk or dark, from the sun's height where the point is ----

// The sun's elevation in degrees (a low-precision almanac formula, good to about 1°).
function sunElevation(date, lat, lon) {
  const rad = Math.PI / 180;
  const d = date.getTime() / 86400000 - 10957.5; // days since 2000-01-01 12:00 UTC
  const g = (357.529 + 0.98560028 * d) * rad;
  const q = 280.459 + 0.98564736 * d;
  const l = (q + 1.915 * Math.sin(g) + 0.02 * Math.sin(2 * g)) * rad;
  const e = (23.439 - 0.00000036 * d) * rad;
  const ra = Math.atan2(Math.cos(e) * Math.sin(l), Math.cos(l));
  const dec = Math.asin(Math.sin(e) * Math.sin(l));
  const gmst = (18.697374558 + 24.06570982441908 * d) % 24;
  const hourAngle = (gmst * 15 + lon) * rad - ra;
  const sinH = Math.sin(lat * rad) * Math.sin(dec) + Math.cos(lat * rad) * Math.cos(dec) * Math.cos(hourAngle);
  return Math.asin(sinH) / rad;
}

// Civil twilight (sun 0–6° below the horizon) is dusk; lower than that is dark.
function lightAt(date, lat, lon) {
  const elevation = sunElevation(date, lat, lon);
  if (elevation > 0) return "daylight";
  return elevation > -6 ? "dusk" : "dark";
}

// ---- the outbox and offline ----

let outbox;
let recorder;
let myPoints;

function showOutbox({ waiting, rejected, confirmed }, sending) {
  let text = waiting ? say(strings.waiting, { count: waiting }) : strings.allSent;
  if (waiting && sending && navigator.onLine) text = `${text} · ${strings.sending}`;
  if (rejected) text = `${text} · ${say(strings.rejected, { count: rejected })}`;
  const box = $("outbox");
  box.textContent = text;
  box.dataset.waiting = String(waiting);
  box.dataset.confirmed = String(confirmed);
  box.classList.toggle("pending", waiting > 0);
  myPoints?.refresh();
}

// ---- my route ----

const trackKey = `${storageKey}:track`;

function showTrack({ on, kept, sent, closed }) {
  const status = $("track-status");
  status.hidden = !on && !closed;
  if (closed) status.textContent = strings.trackClosed;
  else if (on) status.textContent = sent ? say(strings.trackSent, { count: kept, sent }) : say(strings.trackOn, { count: kept });
  status.dataset.kept = String(kept);
  status.dataset.sent = String(sent);
}

function setupTrack(key) {
  recorder = new TrackRecorder({ walk: config.walkId, key, url: config.trackUrl, outbox, onChange: showTrack });
  const toggle = $("record-track");
  toggle.disabled = !config.walkOpen;
  toggle.addEventListener("change", () => {
    localStorage.setItem(trackKey, JSON.stringify(toggle.checked));
    if (toggle.checked) {
      recorder.start().then(() => here && recorder.add({ latitude: here.lat, longitude: here.lon, accuracy: here.accuracy }));
    } else recorder.stop();
  });
  if (remembered(trackKey, false) && config.walkOpen) {
    toggle.checked = true;
    recorder.start();
  }
}


function startLogging(key) {
  $("log").hidden = false;
  document.body.classList.add("logging");
  outbox = new Outbox({ walk: config.walkId, key, observationsUrl: config.observationsUrl, onChange: showOutbox });
  outbox.onPhotoRejected = (reason) => {
    announce(say(strings.photoRejected, { reason }));
  };
  outbox.onKeyRejected = () => showJoin(true);
  myPoints = new MyPoints({
    outbox,
    strings,
    walkOpen: config.walkOpen,
    categories: () => categories,
  });
  setupTrack(key);
  setupMap();
  loadCategories();
  $("details").addEventListener("submit", (event) => {
    event.preventDefault();
    finishDetails();
  });
  $("photo").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file || !active) return;
    await outbox.addPhoto(active.uuid, file, file.name);
    announce(strings.photoAdded);
  });
  outbox.changed();
  outbox.send();
  // The page and the walk's data, kept by the service worker for a reload without network.
  keepForOffline(config.swUrl, [location.pathname, config.walkUrl, config.themesUrl, config.categoriesUrl], language);
}

const joined = remembered(storageKey);
if (joined && joined.key) startLogging(joined.key);
else showJoin();
