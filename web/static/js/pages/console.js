// The expert console: presence, the incoming call that rings, and today's calls.
import { api } from "/static/js/api.js";
import { acceptCall, declineCall, setPresence, whenConnected } from "/static/js/call.js";
import { formatAmount, formatDuration, formatPrice } from "/static/js/money.js";
import { formatTime, show, t } from "/static/js/page.js";
import { Ringer } from "/static/js/ring.js";
import { pageSocket } from "/static/js/socket.js";
import { followCallbacks } from "/static/js/pages/console-callbacks.js";

const root = document.getElementById("console");
const feePercent = Number(root.dataset.feePercent || 0);
const presence = root.querySelector(".presence");
const card = root.querySelector("[data-role=incoming]");
const byAction = (action) => root.querySelector(`[data-action="${action}"]`);
const field = (name) => card.querySelector(`[data-field="${name}"]`);
// Per tab: coming back from a call puts the expert online again; a new visit starts offline.
const PRESENCE_KEY = "helpcall.presence";

const socket = pageSocket();
const ringer = new Ringer();
let wanted = sessionStorage.getItem(PRESENCE_KEY) === "online";
let incoming = null;
let countdown = null;

function showError(message) {
  const element = root.querySelector("[data-role=console-error]");
  element.textContent = message || "";
  show(element, Boolean(message));
}

function renderPresence(status) {
  presence.dataset.presence = status;
  root.querySelector("[data-role=presence-text]").textContent = t(`console.${status}`);
  show(byAction("online"), status !== "online");
  show(byAction("offline"), status === "online");
}

async function changePresence(status) {
  showError("");
  ringer.unlock();
  try {
    await whenConnected(socket);
    const ack = await setPresence(socket, status);
    wanted = status === "online";
    sessionStorage.setItem(PRESENCE_KEY, status);
    renderPresence(status);
    followCallbacks(wanted, ack.callbacks);
    (status === "online" ? byAction("offline") : byAction("online")).focus();
  } catch (error) {
    showError(t("console.presence_failed", { message: error.message }));
  }
}

byAction("online").addEventListener("click", () => changePresence("online"));
byAction("offline").addEventListener("click", () => changePresence("offline"));

socket.on("connect", async () => {
  if (!wanted) {
    renderPresence("offline");
    return;
  }
  try {
    const ack = await setPresence(socket, "online");
    renderPresence("online");
    followCallbacks(true, ack.callbacks);
  } catch {
    renderPresence("offline");
  }
});
socket.on("disconnect", () => renderPresence("reconnecting"));
socket.on("connect_error", (error) => {
  if (error?.data?.code === "unauthorized") location.replace("/login?next=/console");
});

// ---- the incoming call ----

function hideIncoming(message) {
  ringer.stop();
  clearInterval(countdown);
  incoming = null;
  card.dataset.sessionId = "";
  show(card, false);
  if (message) showError(message);
}

socket.on("call:incoming", (payload) => {
  incoming = payload;
  card.dataset.sessionId = payload.session_id;
  field("client").textContent = payload.client?.display_name || t("call.them");
  field("topic").textContent = payload.topic ? t("console.topic", { topic: payload.topic }) : "";
  field("price").textContent = formatPrice(payload.pricing);
  const until = performance.now() + (payload.ring_seconds || 30) * 1000;
  const tickDown = () => {
    const left = Math.max(0, Math.ceil((until - performance.now()) / 1000));
    field("countdown").textContent = t("console.answer_within", { seconds: left });
  };
  tickDown();
  clearInterval(countdown);
  countdown = setInterval(tickDown, 1000);
  showError("");
  show(card);
  byAction("accept").disabled = false;
  byAction("decline").disabled = false;
  byAction("accept").focus();
  ringer.start();
});

socket.on("call:state", (payload) => {
  if (incoming && payload.session_id === incoming.session_id && payload.state === "ended") {
    hideIncoming(t(`reason.${payload.reason || "cancelled"}`));
  }
  if (payload.state === "ended") loadToday();
});

byAction("accept").addEventListener("click", async () => {
  if (!incoming) return;
  const call = incoming;
  byAction("accept").disabled = true;
  byAction("decline").disabled = true;
  ringer.stop();
  try {
    await acceptCall(socket, call.session_id);
    sessionStorage.setItem(`helpcall.incoming.${call.session_id}`, JSON.stringify(call));
    location.assign(`/call/${encodeURIComponent(call.session_id)}`);
  } catch (error) {
    hideIncoming(t("console.accept_failed", { message: error.message }));
  }
});

byAction("decline").addEventListener("click", async () => {
  if (!incoming) return;
  const call = incoming;
  hideIncoming();
  try {
    await declineCall(socket, call.session_id);
  } catch (error) {
    showError(t("console.decline_failed", { message: error.message }));
  }
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

renderPresence("offline");
loadToday();
