// SPDX-License-Identifier: EUPL-1.2
// Hotspot → action, for planners: a heat-map cell's or a district's "Create action" opens a
// dialog that adds an action to one of the municipality's plans with the current filters
// (POST /api/v1/actions/).
import { $, apiUrl, config, errorText, filterParams, format, getJSON, postJSON, state, text } from "./state.js";

// target: {district: id} or {area: GeoJSON Polygon}, and the label the dialog shows.
export function actionButton(target) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "create-action";
  button.textContent = text.createAction;
  button.addEventListener("click", () => openActionDialog(target));
  return button;
}

async function openActionDialog(target) {
  state.actionTarget = target;
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
  const target = state.actionTarget;
  const body = { plan: Number($("action-plan").value), title: $("action-title").value, filters: filterParams() };
  if (target.district) body.district = target.district;
  else body.area = target.area;
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

export function wireActionDialog() {
  $("action-form").addEventListener("submit", createAction);
  $("action-cancel").addEventListener("click", () => $("action-dialog").close());
}
