// The wallet's movements as a statement people read, like a bank's: one signed, described
// line per thing that happened (pure: the page fetches, this only words and signs).
//
// The ledger records every hold and release: a call holds what the wallet could spend on
// it, then releases the hold and charges what it cost. A finished call is one line, the
// charge ("Call with Marie Curie, 3 min 12 s"); a call still running shows what it holds.
// A booking shows its hold ("Booking on 9 Dec, held"), then either what was paid or the
// money returned when it was cancelled.
import { formatAmount, formatDuration } from "/static/js/money.js";
import { lang, t } from "/static/js/page.js";

function shortDay(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleDateString(lang === "fr" ? "fr-FR" : "en-GB", { day: "numeric", month: "short" });
}

const signed = (cents) => (cents > 0 ? `+${formatAmount(cents)}` : cents < 0 ? formatAmount(cents) : formatAmount(0));

// `entries`: the ledger, newest first. `sessions`: Map id -> session with `other_name`.
// `bookings`: Map id -> booking. Answers lines, newest first:
// {at, kind, text, note, amount, style, balance}; `style` is credit, debit or hold.
export function statementLines(entries, { sessions = new Map(), bookings = new Map() } = {}) {
  const oldestFirst = [...entries].reverse();
  const charged = new Set(oldestFirst.filter((e) => e.kind === "charge").map((e) => e.session_id));
  const released = new Set(oldestFirst.filter((e) => e.kind === "release").map((e) => e.session_id));
  const lines = [];
  for (const entry of oldestFirst) {
    const id = entry.booking_id || entry.session_id;
    const booking = id ? bookings.get(id) : undefined;
    const session = entry.session_id ? sessions.get(entry.session_id) : undefined;
    const line = { at: entry.at, kind: entry.kind, balance: entry.balance_cents, note: "" };
    const cents = entry.amount_cents;
    if (entry.kind === "topup") {
      Object.assign(line, { text: t("statement.topup"), amount: signed(Math.abs(cents)), style: "credit" });
    } else if (entry.kind === "refund") {
      Object.assign(line, { text: t("statement.refund"), amount: signed(cents), style: cents >= 0 ? "credit" : "debit" });
    } else if (entry.kind === "dispute_refund") {
      // A disputed call given back (docs/trust.md), in full or in part.
      const name = session?.other_name || t("sessions.an_expert");
      Object.assign(line, { text: t("statement.dispute_refund", { name }), amount: signed(cents), style: "credit" });
    } else if (booking || entry.booking_id) {
      const day = shortDay(booking?.start);
      const name = booking?.expert?.display_name || "";
      if (entry.kind === "hold") {
        Object.assign(line, { text: t("statement.booking_held", { day }), note: t("statement.held_note"), amount: signed(-cents), style: "hold" });
      } else if (entry.kind === "release") {
        // Released and charged in one step when the call took place: the charge says it.
        if (charged.has(entry.session_id) && booking?.state !== "cancelled") continue;
        Object.assign(line, { text: t("statement.booking_returned", { day }), note: t("statement.returned_note"), amount: signed(cents), style: "credit" });
      } else if (entry.kind === "charge") {
        const key = booking?.state === "cancelled" ? "statement.booking_fee" : "statement.booking_paid";
        Object.assign(line, { text: t(key, { day, name }), amount: signed(cents), style: "debit" });
      } else {
        continue;
      }
    } else if (entry.kind === "charge") {
      const name = session?.other_name || t("sessions.an_expert");
      Object.assign(line, {
        text: t("statement.call", { name, duration: formatDuration(session?.live_seconds || 0) }),
        amount: signed(cents),
        style: "debit",
      });
    } else if (entry.kind === "hold" && !released.has(entry.session_id)) {
      // A call still in progress: what it may spend is set aside, not yet spent.
      const name = session?.other_name || t("sessions.an_expert");
      Object.assign(line, { text: t("statement.call_held", { name }), note: t("statement.held_note"), amount: signed(-cents), style: "hold" });
    } else {
      continue; // a finished call's hold and release: its charge line tells the story
    }
    lines.push(line);
  }
  return lines.reverse();
}
