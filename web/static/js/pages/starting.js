// Starting a call from a page (a profile's or a category's "Call now"): emit call:start,
// then open the call page, which joins the session and runs the call.
import { connectSocket, startCall, whenConnected } from "/static/js/call.js";

const PROBLEM_PAGES = { insufficient_funds: "insufficient_funds", unavailable: "unavailable" };

let socket = null;

// Resolves with the error to show when the call could not start, else navigates away.
export async function callNow(target, topic, back) {
  socket ||= connectSocket();
  try {
    await whenConnected(socket);
    const ack = await startCall(socket, target, topic);
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
  }
}
