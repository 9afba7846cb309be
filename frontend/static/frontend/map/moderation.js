// SPDX-License-Identifier: EUPL-1.2
// Residents' reports in the workspace: how many residents support an observation, and, for
// a report that waits for moderation, the detail panel
// offers accept, accept without the text, and reject with a reason for the resident
// (POST /api/v1/observations/<id>/moderation/). The "to moderate" filter is a filter of the
// vocabulary (moderation=pending) like any other.
import { $, announce, config, failureText, format, postJSON, root, text } from "./state.js";

let current = null; // the observation shown, while it waits for moderation

function show(event) {
  const { feature } = event.detail;
  const p = feature.properties;
  const form = $("moderation");
  current = p.moderation === "pending" ? feature.id : null;
  form.hidden = current === null;
  $("moderation-message").textContent = "";
  $("moderation-reason").value = "";
  $("moderation-support").textContent = p.support_count ? format(text.supporters, { count: p.support_count }) : "";
}

async function moderate(action) {
  if (current === null) return;
  const id = current;
  const body = { action };
  if (action === "reject") body.reason = $("moderation-reason").value.trim();
  const answer = await postJSON(`${config.api.observations}${id}/moderation/`, body);
  if (!answer.ok) {
    $("moderation-message").textContent = format(text.loadFailed, { reason: failureText(answer) });
    return;
  }
  $("moderation-message").textContent = text.moderated;
  announce("lyhty:changed", { id });
  announce("lyhty:pick", { id, from: "moderation" });
}

export function wireModeration() {
  root.addEventListener("lyhty:detail", show);
  for (const button of document.querySelectorAll("[data-moderate]")) {
    button.addEventListener("click", () => moderate(button.dataset.moderate));
  }
}
