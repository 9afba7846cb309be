// SPDX-License-Identifier: EUPL-1.2
// Date fields in the page's language, on every page (frontend/base.html loads this module).
//
// <input type=date> shows and reads dates in the browser's format, not the page's: a
// Finnish page in an English browser asks for 12/05/2026. Each date input therefore gets a
// text field in front of it that shows and accepts the page language's format (fi 5.12.2026,
// sv and en 2026-12-05; ISO is accepted in every language). The date input itself stays in
// the form, hidden, and keeps the ISO value: code that reads or sets its value, listens to
// its input and change events or resets its form works as before. Text that is not a date
// gets a message in the page's language and changes nothing.

// How each page language writes a date (its words for the format come from the template).
const PATTERNS = { fi: "d.m.yyyy", sv: "yyyy-mm-dd", en: "yyyy-mm-dd" };
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const FINNISH = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const nativeValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");

const two = (n) => String(n).padStart(2, "0");

// "2026-12-05" in the pattern: "5.12.2026" or "2026-12-05"; "" for anything else.
export function formatDate(iso, pattern) {
  const match = ISO.exec(iso || "");
  if (!match) return "";
  const [, year, month, day] = match.map(Number);
  return pattern === "d.m.yyyy" ? `${day}.${month}.${year}` : `${year}-${two(month)}-${two(day)}`;
}

// Typed text to ISO: "" when empty, null when it is not a date of the calendar.
export function parseDate(typed, pattern) {
  const text = typed.trim().replace(/\.$/, "");
  if (!text) return "";
  let year, month, day;
  let match = ISO.exec(text);
  if (match) [, year, month, day] = match.map(Number);
  else if (pattern === "d.m.yyyy" && (match = FINNISH.exec(text))) [, day, month, year] = match.map(Number);
  else return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return null;
  }
  return `${year}-${two(month)}-${two(day)}`;
}

function enhance(input, pattern, text) {
  const face = document.createElement("input");
  face.type = "text";
  face.inputMode = "numeric";
  face.autocomplete = "off";
  face.className = `${input.className} date-field`.trim();
  face.placeholder = text.format;
  face.required = input.required;
  face.disabled = input.disabled;
  // Labels point at what the user types in.
  face.id = input.id;
  input.id = input.id ? `${input.id}-iso` : "";
  const error = document.createElement("span");
  error.className = "date-error";
  error.id = `${face.id || input.name}-error`;
  error.setAttribute("role", "alert");
  error.hidden = true;
  input.hidden = true;
  input.style.display = "none";
  // Before the date input, so that a label wrapping both labels the text field.
  input.before(face);
  input.after(error);

  function showError(message) {
    face.setCustomValidity(message);
    error.textContent = message;
    error.hidden = !message;
    if (message) {
      face.setAttribute("aria-invalid", "true");
      face.setAttribute("aria-describedby", error.id);
    } else {
      face.removeAttribute("aria-invalid");
      face.removeAttribute("aria-describedby");
    }
  }
  function show() {
    face.value = formatDate(nativeValue.get.call(input), pattern);
    showError("");
  }
  // The page's own code keeps using the date input: what it sets is shown at once.
  Object.defineProperty(input, "value", {
    configurable: true,
    get() { return nativeValue.get.call(this); },
    set(value) { nativeValue.set.call(this, value); show(); },
  });

  function commit(complain) {
    const iso = parseDate(face.value, pattern);
    if (iso === null) {
      if (complain) {
        const today = new Date();
        const example = formatDate(
          `${today.getFullYear()}-${two(today.getMonth() + 1)}-${two(today.getDate())}`, pattern);
        showError(text.invalid.replace("%(value)s", face.value.trim())
          .replace("%(format)s", text.format).replace("%(example)s", example));
      }
      return;
    }
    showError("");
    if (complain) face.value = formatDate(iso, pattern);
    if (iso === nativeValue.get.call(input)) return;
    nativeValue.set.call(input, iso);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  // The text field's own events are not the form's business: only the date input's are.
  face.addEventListener("input", (event) => { event.stopPropagation(); commit(false); });
  face.addEventListener("change", (event) => { event.stopPropagation(); commit(true); });
  face.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); commit(true); }
  });
  input.form?.addEventListener("reset", () => setTimeout(show, 0));
  show();
}

const lang = (document.documentElement.lang || "fi").slice(0, 2);
const text = document.getElementById("date-fields")?.dataset;
if (text) {
  for (const input of document.querySelectorAll("input[type=date]")) enhance(input, PATTERNS[lang] || PATTERNS.en, text);
}
