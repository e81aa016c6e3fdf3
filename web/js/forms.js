// Form building and error display. Every input has a name; a UserError whose
// `field` path ends in that name is shown right under it, anything else at the
// top of the form.

import { h, fill, add } from "./dom.js";
import { t, label as enumLabel } from "./i18n.js";
import { ApiError } from "./api.js";

/**
 * A labelled input. kind: text|password|number|email|tel|datetime-local|textarea|select|checkbox|checkboxes|radio|file
 * options for select/checkboxes/radio: [{value, label}]
 */
export function field(name, labelText, opts = {}) {
  const kind = opts.type || "text";
  const id = `f-${opts.idPrefix || ""}${name}`;
  let control;
  if (kind === "select") {
    control = h("select", { name, id, testid: opts.testid || `input-${name}`, required: opts.required },
      opts.placeholder !== undefined ? h("option", { value: "" }, opts.placeholder) : null,
      (opts.options || []).map((o) => h("option", { value: o.value, selected: o.value === opts.value }, o.label)));
  } else if (kind === "textarea") {
    control = h("textarea", { name, id, rows: opts.rows || 3, testid: opts.testid || `input-${name}`,
      required: opts.required, placeholder: opts.placeholder, maxlength: opts.maxlength }, opts.value || "");
  } else if (kind === "checkbox") {
    return h("div", { class: "field field-check" },
      h("label", {}, h("input", { type: "checkbox", name, id, testid: opts.testid || `input-${name}`, checked: opts.checked }), " ", labelText),
      errorSlot(name));
  } else if (kind === "checkboxes" || kind === "radio") {
    const inputType = kind === "radio" ? "radio" : "checkbox";
    control = h("div", { class: "choices", id },
      (opts.options || []).map((o) => h("label", { class: "choice" },
        h("input", { type: inputType, name, value: o.value, checked: (opts.value || []).includes?.(o.value) || o.value === opts.value,
          testid: `${opts.testid || `input-${name}`}-${o.value}` }), " ", o.label)));
  } else {
    control = h("input", {
      type: kind, name, id, testid: opts.testid || `input-${name}`, required: opts.required,
      placeholder: opts.placeholder, value: opts.value, autocomplete: opts.autocomplete || "off",
      inputmode: opts.inputmode, maxlength: opts.maxlength, pattern: opts.pattern, accept: opts.accept,
    });
  }
  return h("div", { class: "field" },
    h("label", { for: id }, labelText),
    control,
    opts.hint ? h("small", { class: "hint" }, opts.hint) : null,
    errorSlot(name));
}

function errorSlot(name) {
  return h("small", { class: "field-error", dataset: { errorFor: name }, testid: `error-${name}`, role: "alert" });
}

/** Options of an enum: enumOptions("Channel", ["BANK_CARD", ...]). */
export function enumOptions(enumName, values) {
  return values.map((value) => ({ value, label: enumLabel(enumName, value) }));
}

/** A form with a form-level error line first and the given children. */
export function form(testid, onSubmit, ...children) {
  const el = h("form", { class: "form", testid, novalidate: true },
    h("div", { class: "form-error", testid: `${testid}-error`, role: "alert" }), ...children);
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(el);
    const buttons = el.querySelectorAll("button[type=submit]");
    buttons.forEach((b) => (b.disabled = true));
    try {
      await onSubmit(readForm(el), el, event.submitter);
    } catch (error) {
      showException(el, error);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });
  return el;
}

export function submit(text, testid, extra = {}) {
  return h("button", { type: "submit", class: extra.class || "primary", testid, name: extra.name, value: extra.value }, text);
}

/** Values of a form: strings trimmed, checkbox groups as arrays, single checkboxes as booleans, files as File|null. */
export function readForm(el) {
  const values = {};
  for (const input of el.querySelectorAll("input, select, textarea")) {
    if (!input.name) continue;
    if (input.type === "checkbox") {
      const group = el.querySelectorAll(`input[type=checkbox][name="${input.name}"]`);
      if (group.length > 1 || input.value !== "on") {
        values[input.name] = values[input.name] || [];
        if (input.checked) values[input.name].push(input.value);
      } else {
        values[input.name] = input.checked;
      }
    } else if (input.type === "radio") {
      if (input.checked) values[input.name] = input.value;
      else if (!(input.name in values)) values[input.name] = "";
    } else if (input.type === "file") {
      values[input.name] = input.files && input.files[0] ? input.files[0] : null;
    } else {
      values[input.name] = input.value.trim();
    }
  }
  return values;
}

export function clearErrors(el) {
  el.querySelectorAll(".field-error, .form-error").forEach((slot) => {
    fill(slot);
    delete slot.dataset.errorCode;
    slot.classList.remove("shown");
  });
  el.querySelectorAll(".invalid").forEach((input) => input.classList.remove("invalid"));
}

/** The message shown for an error code, in the current language. */
export function errorText(code) {
  const key = `error.${code}`;
  const text = t(key);
  return text === key ? t("error.UNKNOWN") : text;
}

/** One line per error: the server's own message when it is in the page's language, else the code's text. */
function put(slot, code, detail) {
  slot.dataset.errorCode = code;
  slot.classList.add("shown");
  fill(slot, h("span", { class: "error-main" }, detail || errorText(code)));
}

/** Show UserErrors: next to the field named by the last part of `field`, else at the form level. */
export function showErrors(el, errors) {
  clearErrors(el);
  const formSlot = el.querySelector(".form-error");
  for (const error of errors) {
    const name = error.field && error.field.length ? error.field[error.field.length - 1] : null;
    const slot = name ? el.querySelector(`.field-error[data-error-for="${CSS.escape(name)}"]`) : null;
    const target = slot || formSlot;
    // the server's own (Chinese) message adds detail such as limits; show it in Chinese mode
    const detail = document.documentElement.lang === "zh-CN" ? error.message : null;
    if (target.classList.contains("shown")) {
      if (target === formSlot) add(target, h("br"), detail || errorText(error.code));
      continue; // one line per field: the first error of a field is the one shown
    } else {
      put(target, error.code, detail);
    }
    if (slot) {
      const input = el.querySelector(`[name="${CSS.escape(name)}"]`);
      if (input) input.classList.add("invalid");
    }
  }
}

/** A client-side check failing on one field (same look as a server UserError). */
export function fieldError(el, name, code) {
  showErrors(el, [{ code, message: "", field: ["input", name] }]);
}

/** A thrown ApiError or network failure, at the form level. */
export function showException(el, error) {
  const code = error instanceof ApiError ? error.code : "NETWORK";
  const formSlot = el.querySelector(".form-error");
  const known = t(`error.${code}`) !== `error.${code}`;
  formSlot.dataset.errorCode = code;
  formSlot.classList.add("shown");
  fill(formSlot, known ? t(`error.${code}`) : t("error.REQUEST_FAILED"),
    error && error.message ? h("span", { class: "error-detail" }, error.message) : null);
  if (!(error instanceof ApiError)) console.error(error);
}

/** Run a mutation payload check: true when it succeeded, else errors are shown. */
export function succeeded(el, payload) {
  if (payload && payload.errors && payload.errors.length) {
    showErrors(el, payload.errors);
    return false;
  }
  return true;
}

export function notice(text, testid = "notice", kind = "ok") {
  return h("div", { class: `notice notice-${kind}`, testid, role: "status" }, text);
}
