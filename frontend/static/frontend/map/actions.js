// SPDX-License-Identifier: EUPL-1.2
// Hotspot → action, for planners: a heat-map cell's or a district's "Create action" opens a
// dialog that adds an action to one of the municipality's plans with the current filters
// (POST /api/v1/actions/). Each dialog sends one key of its own with the request, and the
// button waits while it is on its way: a double click or a retry makes one action.
import { $, apiUrl, config, failureText, filterParams, format, getJSON, postJSON, state, text } from "./state.js";

// target: {district: id} or {area: GeoJSON Polygon}, and the label the dialog shows.
export function actionButton(target) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "create-action";
  button.textContent = text.createAction;
  button.addEventListener("click", () => openActionDialog(target));
  return button;
}

// A random (version 4) UUID; crypto.randomUUID exists only on https and localhost pages.
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function openActionDialog(target) {
  state.actionTarget = target;
  state.actionKey = newKey();
  $("action-submit").disabled = false;
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
  const submit = $("action-submit");
  if (submit.disabled) return;
  submit.disabled = true;
  const target = state.actionTarget;
  const body = {
    key: state.actionKey, plan: Number($("action-plan").value), title: $("action-title").value, filters: filterParams(),
  };
  if (target.district) body.district = target.district;
  else body.area = target.area;
  const answer = await postJSON(config.api.actions, body);
  const message = $("action-message");
  message.replaceChildren();
  // 201: made; 200: made already by this dialog's earlier request. Either way it stays made:
  // the button stays off until the dialog is opened again.
  if (answer.ok) {
    message.append(`${text.actionCreated} `);
    const link = document.createElement("a");
    link.href = answer.data.plan_url;
    link.textContent = text.openPlan;
    message.append(link);
  } else {
    submit.disabled = false;
    message.textContent = format(text.notSaved, { reason: failureText(answer) });
  }
}

export function wireActionDialog() {
  $("action-form").addEventListener("submit", createAction);
  $("action-cancel").addEventListener("click", () => $("action-dialog").close());
}
