// The slot picker of a profile: free times in the visitor's own time zone, a week at a
// time, chosen with ordinary radio buttons (arrow keys move between times), then booked.
import { api } from "/static/js/api.js";
import { formatAmount } from "/static/js/money.js";
import { lang, show, t } from "/static/js/page.js";
import { askToConfirm, promptBox } from "/static/js/price-lock.js";

const WEEK_MS = 7 * 24 * 3600 * 1000;
const locale = () => (lang === "fr" ? "fr-FR" : "en-GB");
export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export function localTime(iso, zone) {
  return new Date(iso).toLocaleTimeString(locale(), { timeZone: zone, hour: "2-digit", minute: "2-digit" });
}

export function localDay(iso, zone, style = "long") {
  return new Date(iso).toLocaleDateString(locale(), { timeZone: zone, weekday: style, day: "numeric", month: style });
}

function heldFor(pricing, minutes) {
  if (!pricing || pricing.mode === "free") return 0;
  return pricing.mode === "per_session" ? pricing.amount_cents : pricing.amount_cents * minutes;
}

export function startSlotPicker(section, expert) {
  if (!section) return;
  const zone = browserZone();
  const lengthSelect = section.querySelector("#slot-length");
  const daySelect = section.querySelector("#slot-day");
  const choices = section.querySelector("[data-role=slot-choices]");
  const fieldset = section.querySelector("[data-role=slots]");
  const empty = section.querySelector("[data-role=slots-empty]");
  const earlier = section.querySelector("[data-action=earlier]");
  const form = section.querySelector("#book-form");
  let weekStart = Date.now();
  let byDay = new Map();
  let length = null;

  section.querySelector("[data-role=tz-note]").textContent = t("slots.zone", { zone });

  function chosen() {
    return choices.querySelector("input[name=slot]:checked");
  }

  function describeChoice() {
    const summary = section.querySelector("[data-role=book-summary]");
    const input = chosen();
    if (!summary) return;
    summary.textContent = input
      ? t("slots.summary", {
          day: localDay(input.value, zone),
          time: localTime(input.value, zone),
          minutes: length,
          amount: formatAmount(heldFor(expert.pricing, length)),
        })
      : "";
  }

  function showDay(day) {
    const slots = byDay.get(day) || [];
    choices.replaceChildren(
      ...slots.map((slot, index) => {
        const wrap = document.createElement("div");
        wrap.className = "slot";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = "slot";
        input.id = `slot-${index}`;
        input.value = slot.start;
        input.dataset.localStart = slot.local_start;
        input.addEventListener("change", describeChoice);
        const label = document.createElement("label");
        label.htmlFor = input.id;
        label.textContent = `${localTime(slot.start, zone)} – ${localTime(slot.end, zone)}`;
        wrap.append(input, label);
        return wrap;
      }),
    );
    describeChoice();
  }

  async function load() {
    fieldset.setAttribute("aria-busy", "true");
    const query = new URLSearchParams({
      from: new Date(weekStart).toISOString(),
      to: new Date(weekStart + WEEK_MS).toISOString(),
      tz: zone,
    });
    if (length) query.set("length", String(length));
    let data;
    try {
      data = await api(`/api/v1/experts/${encodeURIComponent(expert.id)}/slots?${query}`);
    } catch (error) {
      if (error.status === 404) show(section, false); // no hours published: nothing to book
      return;
    } finally {
      fieldset.setAttribute("aria-busy", "false");
    }
    show(section);
    length = data.length_minutes;
    if (!lengthSelect.options.length) {
      for (const minutes of data.lengths || [length]) {
        lengthSelect.append(new Option(t("slots.minutes", { minutes }), String(minutes)));
      }
    }
    lengthSelect.value = String(length);
    byDay = new Map();
    for (const slot of data.slots || []) {
      const day = slot.local_start.slice(0, 10);
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day).push(slot);
    }
    daySelect.replaceChildren(
      ...[...byDay.entries()].map(([day, slots]) => new Option(localDay(slots[0].start, zone, "short"), day)),
    );
    show(empty, byDay.size === 0);
    daySelect.disabled = byDay.size === 0;
    earlier.disabled = weekStart <= Date.now();
    showDay(daySelect.value);
  }

  lengthSelect.addEventListener("change", () => {
    length = Number(lengthSelect.value);
    load();
  });
  daySelect.addEventListener("change", () => showDay(daySelect.value));
  earlier.addEventListener("click", () => {
    weekStart = Math.max(Date.now(), weekStart - WEEK_MS);
    load();
  });
  section.querySelector("[data-action=later]").addEventListener("click", () => {
    weekStart += WEEK_MS;
    earlier.disabled = false;
    load();
  });

  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errorBox = form.querySelector("#book-error");
    const input = chosen();
    show(errorBox, false);
    if (!input) {
      errorBox.textContent = t("slots.pick_first");
      show(errorBox);
      choices.querySelector("input")?.focus();
      return;
    }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const booking = await api("/api/v1/bookings", {
        method: "POST",
        // The price shown in the summary is the one booked at, or nothing is (§7.2).
        body: {
          expert_id: expert.id,
          start: input.value,
          length_minutes: length,
          topic: form.elements.topic.value.trim(),
          expected_pricing: expert.pricing,
        },
      });
      location.assign(`/appointments/${encodeURIComponent(booking.id)}`);
    } catch (error) {
      if (error.code === "price_changed" && error.detail.pricing) {
        const was = expert.pricing;
        expert.pricing = error.detail.pricing;
        describeChoice();
        askToConfirm(promptBox(errorBox), was, expert.pricing, () => form.requestSubmit(), "book");
        submit.disabled = false;
        return;
      }
      const known = { insufficient_funds: "slots.no_funds", conflict: "slots.taken", invalid: "slots.taken" };
      errorBox.textContent = t(known[error.code] || "slots.failed", { message: error.message });
      if (error.code === "insufficient_funds") {
        // Say where to go: the wallet, in a new tab so the chosen time stays on screen.
        const topUp = document.createElement("a");
        topUp.href = "/wallet#topup-heading";
        topUp.target = "_blank";
        topUp.rel = "noopener";
        topUp.dataset.role = "top-up";
        topUp.textContent = t("slots.top_up");
        errorBox.append(" ", topUp);
      }
      show(errorBox);
      submit.disabled = false;
      if (error.code === "conflict" || error.code === "invalid") load();
    }
  });

  load();
}
