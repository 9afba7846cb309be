// SPDX-License-Identifier: EUPL-1.2
// One observation: selecting it (on the map or in the list), its details, photos and
// history, and triage — a status change with a note, a unit, or "duplicate of" another
// observation picked on the map. A saved change is announced ("lyhty:changed"): the page
// reloads what it shows. Whether the form is shown at all is the server's answer
// (/map/observations/<id>/, walks.roles): the page never works it out by itself.
import { pointStyle } from "./layers.js";
import {
  $, announce, config, dates, districtName, failureText, format, getJSON, postJSON, remember, root,
  state, text, textNode, titleOf,
} from "./state.js";

export async function select(id, { from } = {}) {
  if (state.picking && id !== state.picking) return pickOriginal(id);
  if (state.picking && id === state.picking) {
    $("triage-message").textContent = text.duplicateSelf;
    return;
  }
  const previous = state.selected;
  state.selected = id;
  if (previous !== id) remember(true);
  markSelection();
  await showDetail(id, { from });
}

export function markSelection() {
  for (const [id, marker] of state.markers) marker.setStyle(pointStyle(marker.feature.properties, id === state.selected));
  state.markers.get(state.selected)?.bringToFront();
  for (const button of document.querySelectorAll(".obs-item")) {
    const on = Number(button.dataset.id) === state.selected;
    button.setAttribute("aria-pressed", String(on));
    if (on) button.scrollIntoView({ block: "nearest" });
  }
}

export function closeDetail() {
  const id = state.selected;
  state.selected = null;
  $("detail").hidden = true;
  state.highlight?.remove();
  markSelection();
  remember(true);
  document.querySelector(`.obs-item[data-id="${id}"]`)?.focus();
}

export async function showDetail(id, { from } = {}) {
  const panel = $("detail");
  const base = `${config.api.observations}${id}/`;
  let feature, history, photos, extra;
  try {
    [feature, history, photos, extra] = await Promise.all([
      getJSON(base), getJSON(`${base}history/`), getJSON(`${base}photos/`),
      getJSON(config.observationUrl.replace("/0/", `/${id}/`)),
    ]);
  } catch (error) {
    panel.hidden = false;
    $("detail-heading").textContent = format(text.loadFailed, { reason: error.message });
    return;
  }
  const p = feature.properties;
  panel.hidden = false;
  panel.dataset.id = id;
  panel.dataset.status = p.status;
  $("detail-heading").textContent = titleOf(p);
  showFields(p, extra);
  showPhotos(id, photos);
  showHistory(history);
  showTriage(p, extra);
  announce("lyhty:detail", { feature }); // moderation.js adds its part for a resident's report
  state.highlight?.remove();
  state.highlight = null;
  const [lon, lat] = feature.geometry.coordinates;
  if (!state.markers.has(id)) {
    state.highlight = L.circleMarker([lat, lon], { ...pointStyle(p, true), className: "obs-highlight" }).addTo(state.map);
  }
  if (from === "list") {
    if (!state.map.getBounds().contains([lat, lon])) state.map.panTo([lat, lon]);
    $("detail-heading").focus();
  }
}

function showFields(p, extra) {
  const fields = $("detail-fields");
  fields.replaceChildren();
  const scale = (value, template) => (value ? format(template, { value }) : null);
  const rows = [
    [text.place, extra.place],
    [text.observed, dates.format(new Date(p.observed_at))],
    [text.district, districtName(p.district)],
    [text.severity, scale(p.severity, text.severityScale)],
    [text.perceivedSafety, scale(p.perceived_safety, text.safetyScale)],
    [text.walk, extra.walk],
    [text.group, extra.group],
    [text.light, config.lights[p.light_condition]],
    [text.positive, p.is_positive ? "✓" : null],
    [text.unit, config.units[p.responsible_unit] || config.units[config.categories[p.category]?.unit]],
    [text.note, p.description],
    [text.proposedFix, p.proposed_fix],
    [text.duplicate, p.duplicate_of ? format(text.duplicateOf, { id: p.duplicate_of }) : null],
  ];
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    fields.append(textNode("dt", label), textNode("dd", String(value)));
  }
}

function showPhotos(id, photos) {
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
}

function showHistory(history) {
  const list = $("detail-history");
  list.replaceChildren();
  if (!history.length) list.append(textNode("li", text.noHistory));
  for (const change of history) {
    const item = document.createElement("li");
    const head = textNode("span", format(text.change, {
      from: config.statuses[change.from_status], to: config.statuses[change.to_status],
    }), "change");
    const unit = change.to_unit && change.to_unit !== change.from_unit ? ` · ${config.units[change.to_unit]}` : "";
    const by = change.changed_by ? ` · ${format(text.by, { user: change.changed_by })}` : "";
    const when = textNode("span", `${dates.format(new Date(change.changed_at))}${by}${unit}`, "obs-meta");
    item.append(head, " ", when);
    if (change.note) item.append(textNode("p", change.note, "history-note"));
    list.append(item);
  }
}

// The form only where the user may act; the status stays unless another one is chosen.
function showTriage(p, extra) {
  const triage = $("triage");
  triage.hidden = !extra.may_triage;
  $("triage-not-yours").hidden = extra.may_triage;
  $("triage-message").textContent = "";
  if (triage.hidden) return;
  const select = $("t-status");
  select.replaceChildren(new Option(format(text.keepStatus, { status: config.statuses[p.status] }), ""));
  for (const status of config.transitions[p.status] || []) {
    if (status !== "duplicate") select.add(new Option(config.statuses[status], status));
  }
  select.value = "";
  $("t-unit").value = "";
  $("t-note").value = "";
  $("mark-duplicate").disabled = !(config.transitions[p.status] || []).includes("duplicate");
}

export async function transition(id, body) {
  const message = $("triage-message");
  const answer = await postJSON(`${config.api.observations}${id}/transition/`, body);
  if (!answer.ok) {
    message.textContent = format(text.notSaved, { reason: failureText(answer) });
    return false;
  }
  await showDetail(id);
  message.textContent = format(text.saved, { status: config.statuses[answer.data.properties.status] });
  announce("lyhty:changed", { id });
  return true;
}

function pickOriginal(original) {
  const id = state.picking;
  stopPicking();
  const note = $("t-note").value;
  state.selected = id;
  return transition(id, { status: "duplicate", duplicate_of: original, note });
}

export function startPicking() {
  state.picking = state.selected;
  root.classList.add("picking");
  const hint = $("map-hint");
  hint.hidden = false;
  hint.textContent = text.duplicatePick;
  $("triage-message").textContent = text.duplicatePick;
}

export function stopPicking(message) {
  state.picking = null;
  root.classList.remove("picking");
  $("map-hint").hidden = true;
  if (message) $("triage-message").textContent = message;
}
