// Tiny DOM builder: h("button", {class: "primary", testid: "pay", on: {click}}, "付款").
// Text is always inserted as text nodes, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (key === "testid") {
      el.dataset.testid = value;
    } else if (key === "class") {
      el.className = value;
    } else if (key === "text") {
      el.textContent = value;
    } else if (key === "value") {
      el.value = value;
    } else if (key === "checked" || key === "selected" || key === "disabled" || key === "hidden") {
      el[key] = Boolean(value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  appendChildren(el, children);
  return el;
}

/**
 * Add children to an element. Arrays (of any depth) are spread, null/undefined/false skipped,
 * anything else that is not a node becomes a text node. Every screen adds children through this
 * (never Element.append with an array, which would print "[object HTMLDivElement],...").
 */
export function add(el, ...children) {
  return appendChildren(el, children);
}

/** Like add, but before the element's current first child. */
export function addFirst(el, ...children) {
  const holder = document.createDocumentFragment();
  appendChildren(holder, children);
  el.insertBefore(holder, el.firstChild);
  return el;
}

function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Replace an element's children. */
export function fill(el, ...children) {
  return appendChildren(clear(el), children);
}

/** An <img> showing a server-made SVG (as a data URL, so no markup of it reaches the page DOM). */
export function svgImage(svg, alt, testid) {
  const src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  return h("img", { src, alt, class: "qr", testid });
}

/** A random key for one money-moving attempt (idempotencyKey, 1-64 chars). */
export function newIdempotencyKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function formatDateTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
