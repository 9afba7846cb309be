// SPDX-License-Identifier: EUPL-1.2
// The list beside the map: the observations in view, sorted and paged by the server.
import {
  $, announce, apiUrl, config, dates, districtName, filterParams, format, getJSON, numbers, state,
  swatch, text, textNode, themeColour, titleOf, viewBox,
} from "./state.js";
import { ensureDistricts } from "./layers.js";

export async function loadList(signal, mine) {
  const params = {
    ...filterParams(),
    bbox: viewBox(),
    ordering: state.order,
    limit: config.pageSize,
    offset: (state.page - 1) * config.pageSize,
  };
  // The rows name their districts: the districts' shapes come beside the page.
  const [page] = await Promise.all([getJSON(apiUrl(config.api.observations, params), signal), ensureDistricts()]);
  if (mine !== state.generation) return;
  const pages = Math.max(1, Math.ceil(page.count / config.pageSize));
  if (state.page > pages) {
    state.page = pages;
    return loadList(signal, mine);
  }
  state.listRows = page.features;
  const count = $("list-count");
  count.dataset.count = page.count;
  count.textContent = format(text.listCount, { count: numbers.format(page.count) });
  $("page-label").textContent = format(text.page, { page: state.page, pages });
  $("page-previous").disabled = state.page <= 1;
  $("page-next").disabled = state.page >= pages;
  renderList();
}

function renderList() {
  const list = $("list");
  list.replaceChildren();
  if (!state.listRows.length) {
    list.append(textNode("li", text.noneFound, "empty"));
    return;
  }
  for (const f of state.listRows) {
    const p = f.properties;
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "obs-item";
    button.dataset.id = f.id;
    button.setAttribute("aria-pressed", String(f.id === state.selected));
    const meta = [
      dates.format(new Date(p.observed_at)),
      districtName(p.district),
      p.severity ? `${text.severity} ${p.severity}` : null,
    ].filter(Boolean).join(" · ");
    button.append(swatch(themeColour(p.theme)), textNode("span", titleOf(p), "obs-title"), textNode("span", meta, "obs-meta"));
    button.addEventListener("click", () => announce("lyhty:pick", { id: f.id, from: "list" }));
    item.append(button);
    list.append(item);
  }
}
