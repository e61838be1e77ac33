// An expert's presence follows the person, not the page: once they go online they stay
// online on every page and in every tab until they go offline or close their last tab.
//
// The server counts the expert's sockets: with the last one gone it sets them offline
// (protocol §3). So each page says `presence online` again when it connects if this tab
// was online before (sessionStorage: a navigation, a reload, a return from a call), and a
// new tab asks the server whether another tab already holds the expert online. Tabs tell
// each other of a change through a BroadcastChannel.
import { api } from "/static/js/api.js";
import { account } from "/static/js/page.js";
import { pageSocket, setPresence, whenConnected } from "/static/js/socket.js";

const TAB_KEY = "helpcall.presence";
const channel = "BroadcastChannel" in window ? new BroadcastChannel("helpcall.presence") : null;

const socket = pageSocket();
const events = new EventTarget();
let status = "offline";
// Counts the person's own changes: what restore() learnt before one of them is stale.
let changes = 0;

const tabOnline = () => sessionStorage.getItem(TAB_KEY) === `online:${account?.id}`;

function remember(online) {
  if (online) sessionStorage.setItem(TAB_KEY, `online:${account?.id}`);
  else sessionStorage.removeItem(TAB_KEY);
}

function render(next, detail = {}) {
  status = next;
  events.dispatchEvent(new CustomEvent("change", { detail: { status, ...detail } }));
}

export const presenceStatus = () => status;

// `fn({status, callbacks})` now and on every change.
export function onPresence(fn) {
  events.addEventListener("change", (event) => fn(event.detail));
  fn({ status });
}

// Asked by a person (a button): answers the ack, throws CallError on refusal.
export async function changePresence(next) {
  changes += 1;
  await whenConnected(socket);
  const ack = await setPresence(socket, next);
  remember(next === "online");
  channel?.postMessage({ account: account?.id, status: next });
  render(next, { callbacks: ack.callbacks });
  return ack;
}

async function restore() {
  const before = changes;
  // A person who clicked meanwhile has the last word: never show an older answer over it.
  const settle = (next, detail = {}) => {
    if (changes === before) render(next, detail);
  };
  if (tabOnline()) {
    try {
      const ack = await setPresence(socket, "online");
      settle("online", { callbacks: ack.callbacks });
    } catch {
      settle("offline");
    }
    return;
  }
  // A new tab: online if another tab of this expert already is.
  try {
    const own = await api("/api/v1/experts/me");
    if (own?.status === "online" && changes === before) {
      remember(true);
      render("online");
      return;
    }
  } catch {
    // no profile yet: offline
  }
  settle("offline");
}

channel?.addEventListener("message", (event) => {
  if (event.data?.account !== account?.id) return;
  remember(event.data.status === "online");
  render(event.data.status);
});

// The server sets an expert who let a call ring out offline (no use ringing them in vain).
socket.on("presence", (event) => {
  if (!event?.status) return;
  remember(event.status === "online");
  render(event.status, { reason: event.reason });
});

socket.on("connect", restore);
socket.on("disconnect", () => render("reconnecting"));
if (socket.connected) restore();
