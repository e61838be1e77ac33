// Amounts and durations as a person reads them; the same rules as web/money.py
// (a browser test checks that both give the same text).
import { currency as pageCurrency, lang as pageLang, t } from "/static/js/page.js";

const SYMBOLS = { EUR: "€", USD: "$", GBP: "£" };

function group(units, separator) {
  const digits = String(units);
  const head = digits.length % 3 || 3;
  const parts = [digits.slice(0, head)];
  for (let i = head; i < digits.length; i += 3) parts.push(digits.slice(i, i + 3));
  return parts.join(separator);
}

export function formatAmount(cents, currency = pageCurrency, lang = pageLang) {
  const value = Math.abs(Math.trunc(cents));
  const units = Math.floor(value / 100);
  const minor = String(value % 100).padStart(2, "0");
  const sign = cents < 0 ? "-" : "";
  const symbol = SYMBOLS[currency];
  if (lang === "fr") return `${sign}${group(units, " ")},${minor} ${symbol ?? currency}`;
  const number = `${group(units, ",")}.${minor}`;
  return symbol === undefined ? `${sign}${currency} ${number}` : `${sign}${symbol}${number}`;
}

export function formatPrice(pricing, currency = pageCurrency) {
  const amount = pricing?.amount_cents || 0;
  if (!pricing || pricing.mode === "free" || amount === 0) return t("price.free");
  const text = formatAmount(amount, currency);
  return t(pricing.mode === "per_session" ? "price.per_session" : "price.per_minute", { amount: text });
}

export function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.floor(totalSeconds || 0));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return t("duration.hours", { h, m: String(m).padStart(2, "0") });
  if (m) return t("duration.minutes", { m, s: String(s).padStart(2, "0") });
  return t("duration.seconds", { s });
}

// A running clock: 0:07, 12:34, 1:02:03.
export function formatClock(totalSeconds) {
  const seconds = Math.max(0, Math.floor(totalSeconds || 0));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

// What a call live for `liveSeconds` would cost (protocol §4), for the running estimate.
export function estimateCents(liveSeconds, pricing, billing) {
  if (!pricing || pricing.mode === "free") return 0;
  if (liveSeconds < billing.guarantee_seconds) return 0;
  const step = billing.increment_seconds || 1;
  const billed = Math.ceil(liveSeconds / step) * step;
  if (billed <= 0) return 0;
  if (pricing.mode === "per_session") return pricing.amount_cents;
  return Math.floor((billed * pricing.amount_cents + 30) / 60);
}
