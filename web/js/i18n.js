// Simplified Chinese by default, English on request; the choice is remembered.

import zh from "./lang/zh.js";
import en from "./lang/en.js";
import socialZh from "./lang/social.zh.js";
import socialEn from "./lang/social.en.js";

const DICTIONARIES = { zh: { ...zh, ...socialZh }, en: { ...en, ...socialEn } };
const STORAGE_KEY = "fenpay.lang";
const listeners = new Set();

let current = readStoredLang();

function readStoredLang() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return stored in DICTIONARIES ? stored : "zh";
  } catch {
    return "zh";
  }
}

export function lang() {
  return current;
}

export function setLang(next) {
  if (!(next in DICTIONARIES) || next === current) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered, still switched
  }
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
  for (const listener of listeners) listener(next);
}

export function onLangChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Translate `key`; "{name}" placeholders take values from `params`. */
export function t(key, params) {
  const text = DICTIONARIES[current][key] ?? DICTIONARIES.zh[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

/** Label of an enum value, e.g. label("TransactionType", "TOP_UP") -> "充值". */
export function label(enumName, value) {
  if (value === null || value === undefined) return "";
  const key = `enum.${enumName}.${value}`;
  const text = t(key);
  return text === key ? value : text;
}

export function hasKey(key) {
  return key in DICTIONARIES[current] || key in DICTIONARIES.zh;
}
