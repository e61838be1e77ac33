// What the server told this page: language, strings, currency, and who is signed in.
const data = JSON.parse(document.getElementById("helpcall-page")?.textContent || "{}");

export const lang = data.lang || "en";
export const currency = data.currency || "EUR";
export const account = data.account || null;
const strings = data.strings || {};

export const has = (key) => key in strings;

// A string of the page's language; `{name}` placeholders are filled from params.
export function t(key, params = {}) {
  const text = strings[key];
  if (text === undefined) {
    console.warn("missing string", key);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// The JSON of a <script type="application/json"> element, or null.
export function readData(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

export function show(element, visible = true) {
  if (element) element.hidden = !visible;
}

export function formatDateTime(iso) {
  if (!iso) return "";
  const locale = lang === "fr" ? "fr-FR" : "en-GB";
  return new Date(iso).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

export function formatTime(iso) {
  if (!iso) return "";
  const locale = lang === "fr" ? "fr-FR" : "en-GB";
  return new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}
