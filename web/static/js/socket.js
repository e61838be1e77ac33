// One Socket.IO connection per page, shared by the call, the console and the live toasts.
import { connectSocket } from "/static/js/call.js";

let socket = null;

export function pageSocket() {
  socket ||= connectSocket();
  return socket;
}
