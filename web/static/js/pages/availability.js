// The expert's hours: weekly stretches per day as text ("09:00-12:00, 14:00-18:00"), days
// off, extra hours on given dates ("2026-12-24 09:00-12:00", one date per line), slot
// lengths, notice and terms (GET/PUT /api/v1/experts/me/availability).
import { api } from "/static/js/api.js";
import { show, t } from "/static/js/page.js";
import { browserZone } from "/static/js/slots.js";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const HOUR = 3600;
const form = document.getElementById("hours-form");
const errorBox = document.getElementById("hours-error");
const status = form.querySelector("[data-role=hours-status]");
const field = (name) => form.elements[name];

const DEFAULTS = {
  time_zone: browserZone(),
  weekly: {},
  days_off: [],
  extra_hours: [],
  lengths: [30],
  min_notice_seconds: 3600,
  horizon_days: 60,
  cancel_notice_seconds: 86400,
  late_cancel_fee_percent: 50,
  no_show_fee_percent: 100,
};

function stretchesText(stretches) {
  return (stretches || []).map((s) => `${s.start.slice(0, 5)}-${s.end.slice(0, 5)}`).join(", ");
}

const TIME = /^([01]?\d|2[0-4])[:h.]([0-5]\d)$/;
function wallTime(text) {
  const match = TIME.exec(text.trim());
  return match ? `${match[1].padStart(2, "0")}:${match[2]}` : null;
}

// "09:00-12:00, 14:00-18:00" -> [{start, end}], or null when it cannot be read.
function parseStretches(text) {
  const stretches = [];
  for (const part of text.split(/[,;]/).map((p) => p.trim()).filter(Boolean)) {
    const [from, to, ...rest] = part.split(/\s*[-–]\s*/);
    const start = wallTime(from || "");
    const end = wallTime(to || "");
    if (rest.length || !start || !end || end <= start) return null;
    stretches.push({ start, end });
  }
  return stretches;
}

// [{date, start, end}] -> "2026-12-24 09:00-12:00, 14:00-16:00" lines, one per date.
function extraText(extra) {
  const byDate = new Map();
  for (const stretch of extra || []) byDate.set(stretch.date, [...(byDate.get(stretch.date) || []), stretch]);
  return [...byDate].map(([date, stretches]) => `${date} ${stretchesText(stretches)}`).join("\n");
}

// The reverse, or null when a line cannot be read.
function parseExtra(text) {
  const extra = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const match = /^(\d{4}-\d{2}-\d{2})\s+(.+)$/.exec(line);
    const stretches = match ? parseStretches(match[2]) : null;
    if (!stretches?.length) return null;
    for (const stretch of stretches) extra.push({ date: match[1], ...stretch });
  }
  return extra;
}

function fill(doc) {
  field("time_zone").value = doc.time_zone;
  for (const day of DAYS) field(day).value = stretchesText(doc.weekly?.[day]);
  field("days_off").value = (doc.days_off || []).join(", ");
  field("extra_hours").value = extraText(doc.extra_hours);
  for (const box of form.querySelectorAll("input[name=lengths]")) box.checked = (doc.lengths || []).includes(Number(box.value));
  field("min_notice_hours").value = String(doc.min_notice_seconds / HOUR);
  field("horizon_days").value = String(doc.horizon_days);
  field("cancel_notice_hours").value = String(doc.cancel_notice_seconds / HOUR);
  field("late_cancel_fee_percent").value = String(doc.late_cancel_fee_percent);
  field("no_show_fee_percent").value = String(doc.no_show_fee_percent);
}

function fail(input, message) {
  input?.setAttribute("aria-invalid", "true");
  errorBox.textContent = message;
  show(errorBox);
  input?.focus();
  return null;
}

function read() {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const weekly = {};
  for (const day of DAYS) {
    const stretches = parseStretches(field(day).value);
    if (stretches === null) return fail(field(day), t("hours.bad_hours", { day: form.querySelector(`label[for=hours-${day}]`).textContent }));
    if (stretches.length) weekly[day] = stretches;
  }
  const daysOff = field("days_off").value.split(/[,\s]+/).filter(Boolean);
  if (daysOff.some((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d))) return fail(field("days_off"), t("hours.bad_days_off"));
  const extra = parseExtra(field("extra_hours").value);
  if (extra === null) return fail(field("extra_hours"), t("hours.bad_extra"));
  const lengths = [...form.querySelectorAll("input[name=lengths]:checked")].map((box) => Number(box.value));
  if (!lengths.length) return fail(form.querySelector("input[name=lengths]"), t("hours.no_length"));
  const number = (name) => Number(field(name).value);
  return {
    time_zone: field("time_zone").value.trim(),
    weekly,
    days_off: daysOff,
    extra_hours: extra,
    lengths,
    min_notice_seconds: Math.round(number("min_notice_hours") * HOUR),
    horizon_days: Math.round(number("horizon_days")),
    cancel_notice_seconds: Math.round(number("cancel_notice_hours") * HOUR),
    late_cancel_fee_percent: Math.round(number("late_cancel_fee_percent")),
    no_show_fee_percent: Math.round(number("no_show_fee_percent")),
  };
}

const FIELDS = {
  time_zone: "time_zone",
  days_off: "days_off",
  extra_hours: "extra_hours",
  lengths: "lengths",
  min_notice_seconds: "min_notice_hours",
  horizon_days: "horizon_days",
  cancel_notice_seconds: "cancel_notice_hours",
  late_cancel_fee_percent: "late_cancel_fee_percent",
  no_show_fee_percent: "no_show_fee_percent",
};

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  show(errorBox, false);
  status.textContent = "";
  const doc = read();
  if (!doc) return;
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    fill(await api("/api/v1/experts/me/availability", { method: "PUT", body: doc }));
    status.textContent = t("hours.saved");
  } catch (error) {
    const input = Object.entries(FIELDS).find(([key]) => String(error.message).includes(key));
    const target = input ? form.elements[input[1]] : null;
    fail(target instanceof RadioNodeList ? target[0] : target, t("hours.save_failed", { message: error.message }));
  } finally {
    submit.disabled = false;
  }
});

async function load() {
  const zones = Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : [];
  document.getElementById("time-zones").replaceChildren(...zones.map((zone) => new Option(zone)));
  try {
    fill(await api("/api/v1/experts/me/availability"));
  } catch (error) {
    fill(DEFAULTS);
    if (error.status !== 404) fail(null, t("hours.load_failed"));
  } finally {
    form.setAttribute("aria-busy", "false");
  }
}

load();
