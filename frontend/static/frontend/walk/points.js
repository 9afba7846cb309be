// SPDX-License-Identifier: EUPL-1.2
// "My points": the participant's own points in this walk, from the phone's outbox (waiting,
// refused with the server's reasons) and its list of points the server confirmed. While the
// walk is open each can be changed or deleted; the outbox carries the change to the server
// (a point still waiting is simply changed before it leaves).

const $ = (id) => document.getElementById(id);
// A template, or [singular, plural] picked by values.count (frontend/strings.py: counted).
const say = (text, values = {}) =>
  (Array.isArray(text) ? text[values.count === 1 ? 0 : 1] : text).replace(/%\((\w+)\)s/g, (_, name) => values[name]);
const FIELDS = ["severity", "perceived_safety", "light_condition"];

// A point's small action button: its visible word, and a label naming the point.
function toolButton(kind, text, label) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `tool ${kind}`;
  button.textContent = text;
  button.setAttribute("aria-label", label);
  return button;
}

export class MyPoints {
  constructor({ outbox, strings, walkOpen, categories, onClose }) {
    this.outbox = outbox;
    this.strings = strings;
    this.walkOpen = walkOpen;
    this.categories = categories; // () => the loaded categories
    this.onClose = onClose;
    this.editing = null;
    this.opener = null;
    $("my-points-open").addEventListener("click", () => this.open());
    $("my-points-close").addEventListener("click", () => this.close());
    $("edit-cancel").addEventListener("click", () => this.stopEditing());
    $("edit-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveEdit();
    });
  }

  get isOpen() {
    return !$("my-points").hidden;
  }

  open() {
    $("log").hidden = true;
    $("my-points").hidden = false;
    $("my-points-open").setAttribute("aria-expanded", "true");
    this.render().then(() => $("my-points-heading").focus());
  }

  close() {
    this.stopEditing();
    $("my-points").hidden = true;
    $("log").hidden = false;
    $("my-points-open").setAttribute("aria-expanded", "false");
    this.onClose?.();
    $("my-points-open").focus();
  }

  categoryName(code) {
    const found = this.categories().find((c) => c.code === code);
    return found ? found.name : code || this.strings.unknownCategory;
  }

  reasons(errors) {
    const messages = [];
    for (const value of Object.values(errors || {})) {
      const texts = Array.isArray(value) ? value : [value];
      for (const text of texts) if (typeof text === "string") messages.push(text);
    }
    return messages.join(" ") || "?";
  }

  // Called whenever the outbox changes: the count in the button, and the list if shown.
  async refresh() {
    const points = await this.outbox.points();
    $("my-points-count").textContent = points.length ? `(${points.length})` : "";
    const rejected = points.filter((p) => p.state === "rejected").length;
    const note = $("rejected-note");
    note.hidden = !rejected;
    note.textContent = rejected ? say(this.strings.pointRejected, { count: rejected }) : "";
    if (this.isOpen && !this.editing) this.draw(points);
    return points;
  }

  async render() {
    this.draw(await this.outbox.points());
  }

  draw(points) {
    this.putFormBack();
    const list = $("my-points-list");
    $("my-points-empty").hidden = points.length > 0;
    list.dataset.count = String(points.length);
    const stateText = {
      waiting: this.strings.stateWaiting,
      sent: this.strings.stateSent,
      deleting: this.strings.stateDeleting,
    };
    list.replaceChildren(
      ...points.map((point, index) => {
        const properties = point.feature.properties;
        const name = this.categoryName(properties.category);
        const item = document.createElement("li");
        item.className = `my-point ${point.state}`;
        item.dataset.uuid = point.uuid;
        item.dataset.state = point.state;
        const title = document.createElement("p");
        title.className = "my-point-title";
        const when = properties.observed_at ? new Date(properties.observed_at) : null;
        const time = when ? when.toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" }) : "";
        title.textContent = `${index + 1}. ${name}${time ? ` · ${time}` : ""}`;
        const state = document.createElement("p");
        state.className = "my-point-state";
        state.textContent =
          point.state === "rejected" ? say(this.strings.rejectedBecause, { reason: this.reasons(point.errors) }) : stateText[point.state];
        if (point.state === "rejected") state.classList.add("error");
        item.append(title, state);
        if (properties.description) {
          const note = document.createElement("p");
          note.className = "my-point-note";
          note.textContent = properties.description;
          item.append(note);
        }
        if (this.walkOpen && point.state !== "deleting") {
          const actions = document.createElement("div");
          actions.className = "my-point-actions";
          const values = { n: index + 1, category: name };
          const edit = toolButton("edit", this.strings.edit, say(this.strings.editLabel, values));
          edit.addEventListener("click", () => this.startEditing(point, edit));
          const remove = toolButton("delete", this.strings.delete, say(this.strings.deleteLabel, values));
          remove.addEventListener("click", () => this.remove(point, name));
          actions.append(edit, remove);
          item.append(actions);
        }
        return item;
      }),
    );
  }

  startEditing(point, opener) {
    this.editing = point;
    $("my-points-status").textContent = "";
    this.opener = opener;
    const form = $("edit-form");
    form.reset();
    const properties = point.feature.properties;
    const select = $("edit-category");
    const categories = this.categories();
    select.replaceChildren(
      ...categories.map((category) => {
        const option = document.createElement("option");
        option.value = category.code;
        option.textContent = category.name;
        return option;
      }),
    );
    if (!categories.some((c) => c.code === properties.category)) {
      const option = document.createElement("option");
      option.value = properties.category;
      option.textContent = this.categoryName(properties.category);
      select.prepend(option);
    }
    select.value = properties.category;
    form.querySelector(`[name=is_positive][value="${Boolean(properties.is_positive)}"]`).checked = true;
    for (const name of FIELDS) {
      const input = form.querySelector(`[name=${name}][value="${properties[name]}"]`);
      if (input) input.checked = true;
    }
    $("edit-note").value = properties.description || "";
    const errors = $("edit-errors");
    errors.hidden = point.state !== "rejected";
    errors.textContent = point.state === "rejected" ? say(this.strings.rejectedBecause, { reason: this.reasons(point.errors) }) : "";
    // The form opens inside the point's own item, right under its title.
    const item = opener.closest("li");
    item.append(form);
    form.hidden = false;
    select.focus({ preventScroll: true });
    item.scrollIntoView({ block: "start" });
  }

  // The edit form lives after the list while no point is being changed.
  putFormBack() {
    const form = $("edit-form");
    form.hidden = true;
    if (form.parentElement !== $("my-points")) $("my-points").append(form);
  }

  stopEditing() {
    this.editing = null;
    this.putFormBack();
    this.render().then(() => {
      if (this.opener && this.opener.isConnected) this.opener.focus();
    });
  }

  async saveEdit() {
    const point = this.editing;
    if (!point) return;
    const form = $("edit-form");
    const feature = structuredClone(point.feature);
    const properties = feature.properties;
    properties.category = form.category.value;
    properties.is_positive = form.is_positive.value === "true";
    for (const name of FIELDS) {
      const value = form[name].value;
      if (value) properties[name] = name === "light_condition" ? value : Number(value);
    }
    const note = form.description.value.trim();
    if (note) properties.description = note;
    else if (properties.description) properties.description = "";
    this.putFormBack();
    await this.outbox.save(point.uuid, feature);
    this.editing = null;
    await this.render();
    $("my-points-status").textContent = this.strings.changed;
    $("my-points-heading").focus();
  }

  async remove(point, name) {
    if (!window.confirm(say(this.strings.confirmDelete, { category: name }))) return;
    await this.outbox.remove(point.uuid);
    await this.render();
    $("my-points-status").textContent = this.strings.deleted;
    $("my-points-heading").focus();
  }
}
