// The incoming call, on whatever page the expert is: a banner at the top with the
// client's name, their topic, the price and a countdown, `Accept` / `Decline`, and a ring.
// Every tab of the expert gets `call:incoming`; the first answer wins, and the
// `call:state` that follows takes the banner away everywhere else.
import { api } from "/static/js/api.js";
import { formatPrice } from "/static/js/money.js";
import { show, t } from "/static/js/page.js";
import { Ringer } from "/static/js/ring.js";
import { acceptCall, declineCall, pageSocket } from "/static/js/socket.js";
import { toast } from "/static/js/toast.js";

const socket = pageSocket();
const ringer = new Ringer();
let incoming = null;
let countdown = null;

// Browsers let a page make sound only after a gesture on it: the first one unlocks the ring.
for (const kind of ["pointerdown", "keydown"]) {
  document.addEventListener(kind, () => ringer.unlock(), { once: true, capture: true });
}
export const unlockRing = () => ringer.unlock();

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

function build() {
  const banner = element("section", {
    class: "incoming-banner",
    "data-role": "incoming",
    role: "alertdialog",
    "aria-labelledby": "incoming-heading",
    "aria-describedby": "incoming-topic",
  });
  banner.hidden = true;
  const who = element("p", { class: "incoming-who" });
  who.append(element("strong", { "data-field": "client" }));
  const buttons = element("div", { class: "actions" });
  const accept = element("button", { type: "button", class: "button-call", "data-action": "accept" }, t("incoming.accept"));
  const decline = element("button", { type: "button", class: "button-secondary", "data-action": "decline" }, t("incoming.decline"));
  buttons.append(accept, decline);
  banner.append(
    element("h2", { id: "incoming-heading" }, t("incoming.title")),
    who,
    element("p", { id: "incoming-topic", "data-field": "topic" }),
    element("p", { class: "price", "data-field": "price" }),
    element("p", { class: "incoming-note", "data-field": "note", hidden: "" }),
    element("p", { class: "muted", "data-field": "countdown", "aria-live": "off" }),
    buttons,
  );
  accept.addEventListener("click", onAccept);
  decline.addEventListener("click", onDecline);
  document.body.prepend(banner);
  return banner;
}

const banner = document.querySelector(".incoming-banner[data-role=incoming]") || build();
const field = (name) => banner.querySelector(`[data-field="${name}"]`);
const button = (action) => banner.querySelector(`[data-action="${action}"]`);

function hide(message = "") {
  ringer.stop();
  clearInterval(countdown);
  incoming = null;
  banner.dataset.sessionId = "";
  banner.dataset.ringing = "false";
  show(banner, false);
  if (message) toast(message);
}

socket.on("call:incoming", (payload) => {
  incoming = payload;
  banner.dataset.sessionId = payload.session_id;
  field("client").textContent = payload.client?.display_name || t("call.them");
  // No topic given: say so, rather than a made-up one the client never wrote.
  const topic = (payload.topic || "").trim();
  field("topic").textContent = topic ? t("console.topic", { topic }) : t("console.no_topic");
  field("topic").classList.toggle("muted", !topic);
  field("price").textContent = formatPrice(payload.pricing);
  showNote(payload.session_id);
  const until = performance.now() + (payload.ring_seconds || 30) * 1000;
  const tick = () => {
    const left = Math.max(0, Math.ceil((until - performance.now()) / 1000));
    field("countdown").textContent = t("console.answer_within", { seconds: left });
  };
  tick();
  clearInterval(countdown);
  countdown = setInterval(tick, 1000);
  show(banner);
  button("accept").disabled = false;
  button("decline").disabled = false;
  button("accept").focus();
  ringer.start();
  banner.dataset.ringing = String(ringer.ringing);
});

// The expert's own private note on this client, if they wrote one in an earlier call.
async function showNote(sessionId) {
  show(field("note"), false);
  try {
    const note = await api(`/api/v1/sessions/${encodeURIComponent(sessionId)}/note`);
    if (note.text && incoming?.session_id === sessionId) {
      field("note").textContent = t("note.yours", { text: note.text });
      show(field("note"));
    }
  } catch {
    // No note to show: the banner is complete without it.
  }
}

socket.on("call:state", (payload) => {
  if (!incoming || payload.session_id !== incoming.session_id) return;
  if (payload.state === "ended") hide(t(`reason.${payload.reason || "cancelled"}`));
  else if (payload.state !== "ringing") hide(); // answered in another tab
});

async function onAccept() {
  if (!incoming) return;
  const call = incoming;
  button("accept").disabled = true;
  button("decline").disabled = true;
  ringer.stop();
  try {
    await acceptCall(socket, call.session_id);
    sessionStorage.setItem(`helpcall.incoming.${call.session_id}`, JSON.stringify(call));
    location.assign(`/call/${encodeURIComponent(call.session_id)}`);
  } catch (error) {
    hide(t("console.accept_failed", { message: error.message }));
  }
}

async function onDecline() {
  if (!incoming) return;
  const call = incoming;
  hide();
  try {
    await declineCall(socket, call.session_id);
  } catch (error) {
    toast(t("console.decline_failed", { message: error.message }));
  }
}
