// Starting a call from a page (a profile's or a category's "Call now"): emit call:start,
// then open the call page, which joins the session and runs the call.
import { pageSocket, startCall, whenConnected } from "/static/js/socket.js";

const PROBLEM_PAGES = { insufficient_funds: "insufficient_funds", unavailable: "unavailable" };
// The first `queue` event of a category call comes right after call:start, while this page
// is still open: it is kept for the call page, which would otherwise wait for a change.
const FIRST_QUEUE_WAIT_MS = 1500;
export const queueKey = (sessionId) => `helpcall.queue.${sessionId}`;

let socket = null;

function firstQueueEvent(seen, sessionId) {
  return new Promise((resolve) => {
    const found = () => seen.find((event) => event.session_id === sessionId);
    if (found()) {
      resolve(found());
      return;
    }
    const timer = setTimeout(() => {
      socket.off("queue", check);
      resolve(null);
    }, FIRST_QUEUE_WAIT_MS);
    const check = () => {
      if (!found()) return;
      clearTimeout(timer);
      socket.off("queue", check);
      resolve(found());
    };
    socket.on("queue", check);
  });
}

// Resolves with the error to show when the call could not start, else navigates away.
export async function callNow(target, topic, back) {
  socket ||= pageSocket();
  const seen = [];
  const keep = (event) => seen.push(event);
  socket.on("queue", keep);
  try {
    await whenConnected(socket);
    const ack = await startCall(socket, target, topic);
    if (ack.state === "queued") {
      const first = await firstQueueEvent(seen, ack.session_id);
      if (first) sessionStorage.setItem(queueKey(ack.session_id), JSON.stringify(first));
    }
    location.assign(`/call/${encodeURIComponent(ack.session_id)}`);
    return null;
  } catch (error) {
    if (error.code === "unauthorized") {
      location.assign(`/login?next=${encodeURIComponent(back)}`);
      return null;
    }
    const page = PROBLEM_PAGES[error.code];
    if (page) {
      location.assign(`/problem/${page}?back=${encodeURIComponent(back)}`);
      return null;
    }
    return error;
  } finally {
    socket.off("queue", keep);
  }
}
