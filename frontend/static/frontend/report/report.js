// SPDX-License-Identifier: EUPL-1.2
// /report/: a resident reports a problem without an account. The place comes from the
// phone's position or a tap; the report waits in the walk logger's outbox (IndexedDB)
// until the server has it, then its photos follow and its follow-up link is shown.

import { ReportOutbox, deviceId } from "./outbox.js";

const config = JSON.parse(document.getElementById("report-config").textContent);
const strings = JSON.parse(document.getElementById("report-strings").textContent);
const $ = (id) => document.getElementById(id);
const form = $("report-form");
const say = (template, values = {}) => template.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
const plural = (pair, count) => say(count === 1 ? pair[0] : pair[1], { count });

let place = null; // {lat, lon, source, accuracy}
let marker = null;

const map = L.map("report-map").fitBounds(config.bounds);
L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);

function announce(text) {
  $("report-message").textContent = text;
}

function setPlace(lat, lon, source, accuracy = null) {
  place = { lat, lon, source, accuracy };
  if (marker) marker.setLatLng([lat, lon]);
  else {
    marker = L.marker([lat, lon], { draggable: true, keyboard: false }).addTo(map);
    marker.on("dragend", () => {
      const at = marker.getLatLng();
      setPlace(at.lat, at.lng, "map");
    });
  }
  findSame();
}

map.on("click", (event) => setPlace(event.latlng.lat, event.latlng.lng, "map"));

$("use-location").addEventListener("click", () => {
  if (!("geolocation" in navigator)) {
    announce(strings.noLocation);
    return;
  }
  navigator.geolocation.getCurrentPosition(
    (position) => {
      const { latitude, longitude, accuracy } = position.coords;
      setPlace(latitude, longitude, "gps", Math.round(accuracy * 10) / 10);
      map.setView([latitude, longitude], Math.max(map.getZoom(), 17));
    },
    () => announce(strings.noLocation),
    { enableHighAccuracy: true, timeout: 15000 },
  );
});

function chosen(name) {
  const input = form.querySelector(`input[name="${name}"]:checked`);
  return input ? input.value : null;
}

// Open reports of the same theme nearby: "this is the same" supports one instead.
async function findSame() {
  const category = chosen("category");
  const section = $("same-reports");
  if (!place || !category || !navigator.onLine) {
    section.hidden = true;
    return;
  }
  const query = new URLSearchParams({ lon: place.lon.toFixed(6), lat: place.lat.toFixed(6), category });
  let found = [];
  try {
    const response = await fetch(`${config.nearbyUrl}?${query}`, { headers: { Accept: "application/json" } });
    if (response.ok) found = await response.json();
  } catch {
    found = [];
  }
  const items = found.map((each) => {
    const li = document.createElement("li");
    const what = document.createElement("span");
    const details = [each.category_name, say(strings.metres, { metres: Math.round(each.distance_m) })];
    if (each.supporters) details.push(plural(strings.supporters, each.supporters));
    what.textContent = `${details.join(" · ")}${each.description ? ` — ${each.description}` : ""} `;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "same";
    button.dataset.observation = each.id;
    button.textContent = strings.same;
    button.addEventListener("click", () => support(each.id, button));
    li.append(what, button);
    return li;
  });
  $("same-list").replaceChildren(...items);
  section.hidden = items.length === 0;
}

async function support(observation, button) {
  button.disabled = true;
  const response = await fetch(config.supportUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Lyhty-Device": deviceId(), "Accept-Language": config.language },
    body: JSON.stringify({ uuid: crypto.randomUUID(), observation }),
    credentials: "omit",
  }).catch(() => null);
  if (response && response.ok) {
    announce(strings.supported);
    form.reset();
    $("same-reports").hidden = true;
  } else {
    button.disabled = false;
    const answer = response ? await response.json().catch(() => ({})) : {};
    announce(say(strings.notSent, { reason: answer.detail || (response ? response.status : "offline") }));
  }
}

form.addEventListener("change", (event) => {
  if (event.target.name === "category") findSame();
});

function showError(text) {
  const error = $("report-error");
  error.textContent = text;
  error.hidden = !text;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const category = chosen("category");
  if (!place) return showError(strings.choosePlace);
  if (!category) return showError(strings.chooseCategory);
  const files = [...$("report-photos").files];
  if (files.length > config.maxPhotos) return showError(say(strings.tooManyPhotos, { max: config.maxPhotos }));
  showError("");
  const uuid = crypto.randomUUID();
  const properties = {
    uuid,
    category,
    observed_at: new Date().toISOString(),
    position_source: place.source,
    language: config.language,
  };
  if (place.accuracy !== null) properties.accuracy_m = place.accuracy;
  for (const name of ["severity", "perceived_safety"]) {
    if (chosen(name)) properties[name] = Number(chosen(name));
  }
  if (chosen("light_condition")) properties.light_condition = chosen("light_condition");
  if (chosen("is_positive")) properties.is_positive = chosen("is_positive") === "true";
  const note = form.description.value.trim();
  if (note) properties.description = note;
  const email = form.email.value.trim();
  if (email) properties.email = email;
  if (form.website.value) properties.website = form.website.value;
  const feature = { type: "Feature", geometry: { type: "Point", coordinates: [place.lon, place.lat] }, properties };
  // Photos first: the outbox sends them only once their report is confirmed.
  for (const file of files) await outbox.addPhoto(uuid, file, file.name);
  await outbox.save(uuid, feature);
  if (!navigator.onLine) announce(strings.savedOffline);
  form.reset();
  $("same-reports").hidden = true;
  if (marker) marker.remove();
  marker = null;
  place = null;
});

const outbox = new ReportOutbox({
  reportsUrl: config.reportsUrl,
  onChange: (counts) => {
    $("report-outbox").dataset.waiting = counts.waiting;
    $("report-outbox").textContent = counts.waiting
      ? plural(strings.waiting, counts.waiting)
      : strings.allSent;
  },
});
outbox.onSent = () => {
  announce(strings.sent);
  listReports();
};
outbox.onRejected = (item, errors) => {
  const reasons = Object.values(errors).flat().join(" ");
  showError(say(strings.notSent, { reason: reasons }));
};
outbox.onPhotoRejected = (reason) => showError(say(strings.notSent, { reason }));

async function listReports() {
  const reports = await outbox.sentReports();
  const items = reports.filter((r) => r.followUp).map((r) => {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = r.followUp;
    link.className = "follow-up-link";
    link.textContent = `${strings.followUp} #${r.id}`;
    li.append(link);
    return li;
  });
  $("my-reports").replaceChildren(...items);
}

listReports();
outbox.send();
