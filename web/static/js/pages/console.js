// The expert console: presence (kept across pages by presence.js), the onboarding
// checklist that gates `Go online`, and today's calls. The incoming call rings on every
// page (incoming.js).
import { api } from "/static/js/api.js";
import { formatAmount, formatDuration } from "/static/js/money.js";
import { formatTime, show, t } from "/static/js/page.js";
import { changePresence, onPresence } from "/static/js/presence.js";
import { unlockRing } from "/static/js/incoming.js";
import { pageSocket } from "/static/js/socket.js";
import { followCallbacks } from "/static/js/pages/console-callbacks.js";

const root = document.getElementById("console");
const feePercent = Number(root.dataset.feePercent || 0);
const presence = root.querySelector(".presence");
const byAction = (action) => root.querySelector(`[data-action="${action}"]`);
const goOnline = byAction("online");
const blocked = root.querySelector("[data-role=online-blocked]");

const socket = pageSocket();

function showError(message) {
  const element = root.querySelector("[data-role=console-error]");
  element.textContent = message || "";
  show(element, Boolean(message));
}

onPresence(({ status, callbacks }) => {
  presence.dataset.presence = status;
  root.querySelector("[data-role=presence-text]").textContent = t(`console.${status}`);
  show(goOnline, status !== "online");
  show(byAction("offline"), status === "online");
  followCallbacks(status === "online", callbacks);
});

async function ask(status) {
  showError("");
  // The checklist is not done: say what is missing instead of going online unseen.
  if (status === "online" && goOnline.getAttribute("aria-disabled") === "true") {
    show(blocked);
    blocked.focus();
    return;
  }
  unlockRing();
  try {
    await changePresence(status);
    (status === "online" ? byAction("offline") : goOnline).focus();
  } catch (error) {
    showError(t("console.presence_failed", { message: error.message }));
  }
}

goOnline.addEventListener("click", () => ask("online"));
byAction("offline").addEventListener("click", () => ask("offline"));
socket.on("call:state", (payload) => {
  if (payload.state === "ended") loadToday();
});

// ---- today's calls and earnings ----

function isToday(iso) {
  if (!iso) return false;
  const when = new Date(iso);
  const now = new Date();
  return when.toDateString() === now.toDateString();
}

function payout(amount) {
  return amount - Math.floor((amount * feePercent + 50) / 100);
}

async function loadToday() {
  let sessions;
  try {
    sessions = (await api("/api/v1/sessions"))?.sessions || [];
  } catch {
    return;
  }
  const today = sessions.filter((s) => s.state === "ended" && isToday(s.ended_at || s.created_at));
  const answered = today.filter((s) => (s.live_seconds || 0) > 0);
  const earned = today.reduce((sum, s) => sum + payout(s.amount_cents || 0), 0);
  root.querySelector("[data-role=calls-today]").textContent = String(answered.length);
  root.querySelector("[data-role=earned-today]").textContent = formatAmount(earned);
  const list = root.querySelector("[data-role=today-list]");
  list.replaceChildren(
    ...answered.map((s) => {
      const item = document.createElement("li");
      item.textContent = [formatTime(s.ended_at), s.topic, formatDuration(s.live_seconds), formatAmount(s.amount_cents || 0, s.currency)]
        .filter(Boolean)
        .join(" · ");
      return item;
    }),
  );
}

loadToday();
