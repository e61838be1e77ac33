// The call view, for both sides: binds the page to a Call (call.js holds the logic).
import { api } from "/static/js/api.js";
import { Call } from "/static/js/call.js";
import { estimateCents, formatAmount, formatClock, formatDuration, formatPrice } from "/static/js/money.js";
import { account, formatTime, readData, show, t } from "/static/js/page.js";
import { pageSocket } from "/static/js/socket.js";
import { allowFiles, bindFileForm, fileView } from "/static/js/pages/call-files.js";
import { queueKey } from "/static/js/pages/starting.js";

const root = document.getElementById("call");
const config = readData("call-config");
const part = (name) => root.querySelector(`[data-role="${name}"]`);
const button = (action) => root.querySelector(`[data-action="${action}"]`);

const fileForm = part("file-form");
const remoteVideo = part("remote");
const localVideo = part("local");
const socket = pageSocket();
const call = new Call({ socket, sessionId: config.session_id, role: config.role, accountId: account?.id });

let pricing = null;
let currency = null;
let peerName = null;
let liveBase = 0;
let liveSince = null;

function problem(code) {
  location.replace(`/problem/${code}`);
}

function setPeer(name) {
  if (!name) return;
  peerName = name;
  setText("peer-name", t("call.with", { name }));
}

function setPricing(value, inCurrency) {
  if (!value) return;
  pricing = value;
  currency = inCurrency || currency;
  setText("rate", formatPrice(pricing, currency || undefined));
  show(part("rate-box"));
  show(part("cost-box"), config.role === "client" && pricing.mode !== "free");
}

function setText(name, text) {
  const element = part(name);
  if (element) element.textContent = text;
}

function showError(message) {
  const element = part("error");
  element.textContent = message;
  show(element, Boolean(message));
}

// ---- who, what, and at which price ----

async function loadDetails() {
  let session;
  try {
    session = await api(`/api/v1/sessions/${encodeURIComponent(config.session_id)}`);
  } catch {
    return; // the call runs without the details; the join decides whether it exists
  }
  if (session.topic) setText("topic", session.topic);
  setPricing(session.pricing, session.currency);
  if (peerName) return;
  if (config.role === "client" && session.expert_id) {
    api(`/api/v1/experts/${encodeURIComponent(session.expert_id)}`)
      .then((expert) => peerName || setPeer(expert.display_name))
      .catch(() => {});
  } else {
    const incoming = JSON.parse(sessionStorage.getItem(`helpcall.incoming.${config.session_id}`) || "null");
    setPeer(incoming?.client?.display_name);
  }
}

call.addEventListener("joined", ({ detail }) => {
  setPeer(detail.peer?.display_name);
  if (detail.topic) setText("topic", detail.topic);
  setPricing(detail.pricing);
});

// ---- state, timer, cost ----

function liveSeconds() {
  return liveBase + (liveSince === null ? 0 : Math.floor((performance.now() - liveSince) / 1000));
}

function tick() {
  const seconds = liveSeconds();
  setText("timer", formatClock(seconds));
  if (pricing && config.role === "client") {
    setText("cost", formatAmount(estimateCents(seconds, pricing, config.billing), currency || undefined));
  }
}
setInterval(tick, 500);

call.addEventListener("state", ({ detail }) => {
  const { state } = detail;
  root.dataset.callState = state;
  setText("status-text", t(`state.${state}`));
  if (typeof detail.live_seconds === "number") liveBase = detail.live_seconds;
  else if (liveSince !== null) liveBase = liveSeconds();
  liveSince = state === "live" ? performance.now() : null;
  tick();
  show(part("reconnecting"), state === "paused");
  allowFiles(fileForm, state);
  if (state !== "queued") show(part("queue"), false);
  if (state === "ringing") setText("stage-note", t("call.ringing_note"));
  if (state === "accepted") setText("stage-note", t("call.connecting_note"));
  if (state === "ended") {
    for (const action of ["mute", "camera", "share", "hangup"]) button(action).disabled = true;
    root.querySelector("[data-role=chat-form] button").disabled = true;
    setText("status-text", t(`reason.${detail.reason || "hangup"}`));
  }
});

function showQueue(detail) {
  const wait = formatDuration(detail.estimated_wait_seconds);
  const text = detail.position > 0
    ? t("call.queue_position", { position: detail.position, wait })
    : t("call.queue_next", { wait });
  const box = part("queue");
  box.dataset.position = String(detail.position);
  box.dataset.wait = String(detail.estimated_wait_seconds);
  setText("queue", text);
  show(box);
}

call.addEventListener("queue", ({ detail }) => showQueue(detail));
// The first place in the queue, seen by the page that started the call (starting.js).
call.addEventListener("state", ({ detail }) => {
  const first = sessionStorage.getItem(queueKey(config.session_id));
  if (detail.state === "queued" && first && !part("queue").dataset.position) showQueue(JSON.parse(first));
  if (detail.state !== "queued") sessionStorage.removeItem(queueKey(config.session_id));
});

call.addEventListener("balance-low", ({ detail }) => {
  setText("balance-low-text", t("call.balance_low", { seconds: detail.seconds_left }));
  show(part("balance-low"));
});

call.addEventListener("summary", ({ detail }) => {
  const summary = part("summary");
  setText("summary-duration", formatDuration(detail.live_seconds));
  setText("summary-billed", formatDuration(detail.billed_seconds));
  const amount = part("summary-amount");
  amount.textContent = formatAmount(detail.amount_cents, detail.currency);
  amount.dataset.amountCents = String(detail.amount_cents);
  setText("summary-reason", t(`reason.${detail.end_reason || "hangup"}`));
  root.querySelector(".call-main").hidden = true;
  show(summary);
  summary.focus();
  document.dispatchEvent(new CustomEvent("helpcall:summary", { detail }));
});

call.addEventListener("fatal", ({ detail }) => {
  if (detail.code === "unauthorized") location.replace(`/login?next=${encodeURIComponent(location.pathname)}`);
  else problem("call_not_found");
});

call.addEventListener("error", ({ detail }) => showError(t("call.error", { message: detail.message || detail.code })));

call.addEventListener("socket", ({ detail }) => {
  root.dataset.socket = detail.connected ? "connected" : "disconnected";
});

call.addEventListener("connection", ({ detail }) => {
  root.dataset.media = detail.state;
});

// ---- video ----

function play(video) {
  video.play().catch(() => {
    // Autoplay with sound needs a gesture on some browsers: start muted, offer the sound.
    video.muted = true;
    video.play().catch(() => {});
    show(button("sound"));
  });
}

call.addEventListener("local-stream", ({ detail }) => {
  localVideo.srcObject = detail.stream;
  play(localVideo);
});

call.addEventListener("remote-stream", ({ detail }) => {
  if (remoteVideo.srcObject !== detail.stream) remoteVideo.srcObject = detail.stream;
  show(part("stage-note"), false);
  play(remoteVideo);
});

call.addEventListener("media-error", () => show(part("media-error")));

call.addEventListener("sharing", ({ detail }) => {
  const share = button("share");
  share.setAttribute("aria-pressed", String(detail.on));
  share.textContent = t(detail.on ? "call.stop_share" : "call.share");
  root.dataset.sharing = detail.on ? "on" : "off";
  localVideo.srcObject = detail.stream || null;
  localVideo.classList.toggle("screen", detail.on);
});

button("sound").addEventListener("click", () => {
  remoteVideo.muted = false;
  remoteVideo.play().catch(() => {});
  show(button("sound"), false);
});

// ---- controls ----

function toggle(action, onText, offText, apply) {
  const control = button(action);
  control.addEventListener("click", () => {
    const on = control.getAttribute("aria-pressed") !== "true";
    control.setAttribute("aria-pressed", String(on));
    control.textContent = t(on ? onText : offText);
    apply(on);
  });
}

toggle("mute", "call.unmute", "call.mute", (on) => call.setMuted(on));
toggle("camera", "call.camera_on", "call.camera_off", (on) => call.setCameraOff(on));

button("share").addEventListener("click", async () => {
  showError("");
  try {
    if (call.screenTrack) await call.stopShare();
    else await call.startShare();
  } catch (error) {
    if (error?.name !== "NotAllowedError") showError(t("call.share_failed"));
  }
});

button("hangup").addEventListener("click", async () => {
  button("hangup").disabled = true;
  try {
    await call.hangUp();
  } catch (error) {
    button("hangup").disabled = false;
    showError(t("call.error", { message: error.message }));
  }
});

// ---- chat ----

const chatLog = part("chat-log");
const chatForm = part("chat-form");

call.addEventListener("chat", ({ detail }) => {
  const item = document.createElement("li");
  const mine = detail.from === account?.id;
  item.className = mine ? "mine" : "theirs";
  item.dataset.messageId = detail.message_id;
  const who = document.createElement("span");
  who.className = "chat-from";
  who.textContent = mine ? t("call.you") : peerName || t("call.them");
  const when = document.createElement("time");
  when.dateTime = detail.at || "";
  when.textContent = formatTime(detail.at);
  const text = document.createElement("p");
  text.className = "chat-text";
  text.textContent = detail.text;
  item.append(who, " ", when, detail.file ? fileView(detail.file) : text);
  chatLog.append(item);
  chatLog.scrollTop = chatLog.scrollHeight;
});

chatForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = chatForm.elements.text;
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  try {
    await call.sendChat(text);
  } catch (error) {
    input.value = text;
    showError(t("call.chat_failed"));
  }
});

bindFileForm(fileForm, config.session_id);
loadDetails();
call.start().catch((error) => {
  if (error.code === "unauthorized") location.replace(`/login?next=${encodeURIComponent(location.pathname)}`);
  else showError(t("call.error", { message: error.message }));
});
