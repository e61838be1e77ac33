// The page's Socket.IO connection and its ack protocol: what presence, toasts, the console
// and the call share. No WebRTC here, so pages that only need presence stay light.
import { io } from "/static/vendor/socket.io.esm.min.js";

const ACK_TIMEOUT_MS = 10000;

export class CallError extends Error {
  constructor(code, message, detail = {}) {
    super(message || code);
    this.code = code;
    this.detail = detail; // the whole error object: price_changed carries `pricing`
  }
}

// On a call page, the handshake names the call (`?call=<session id>`): a load balancer that
// hashes on it puts both sides' sockets on one process, so their signals never cross
// processes (docs/deployment.md, "Calls on one process").
function callOfPage() {
  const match = location.pathname.match(/^\/call\/([^/]+)$/);
  return match ? { call: decodeURIComponent(match[1]) } : {};
}

export function connectSocket() {
  // Same origin: the browser sends the session cookie, so `auth` carries no token.
  return io({
    path: "/socket.io/",
    auth: {},
    query: callOfPage(),
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  });
}

export function refusal(error) {
  const data = error?.data;
  if (data && typeof data === "object" && data.code) return new CallError(data.code, data.message);
  if (/unauthori[sz]ed/i.test(error?.message || "")) return new CallError("unauthorized", error.message);
  return null;
}

// Resolves once connected; rejects if the server refuses the connection (bad session).
export function whenConnected(socket) {
  return new Promise((resolve, reject) => {
    if (socket.connected) {
      resolve();
      return;
    }
    const done = () => {
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
    };
    const onConnect = () => {
      done();
      resolve();
    };
    const onError = (error) => {
      const refused = refusal(error);
      if (refused || !socket.active) {
        done();
        reject(refused || new CallError("unavailable", error?.message));
      }
    };
    socket.on("connect", onConnect);
    socket.on("connect_error", onError);
  });
}

// Every event is sent with an ack: `{ok: true, ...}` resolves, `{ok: false, error}` throws.
export async function ask(socket, event, payload) {
  let ack;
  try {
    ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
  } catch {
    throw new CallError("timeout", `no answer to ${event}`);
  }
  if (!ack || ack.ok !== true) {
    const error = ack?.error || {};
    throw new CallError(error.code || "error", error.message, error);
  }
  return ack;
}

export const setPresence = (socket, status) => ask(socket, "presence", { status });
// `target` is {expert_id} or {category}; answers {session_id, state}.
export const startCall = (socket, target, topic) => ask(socket, "call:start", { ...target, topic });
export const acceptCall = (socket, sessionId) => ask(socket, "call:accept", { session_id: sessionId });
export const declineCall = (socket, sessionId) => ask(socket, "call:decline", { session_id: sessionId });

// One connection per page, shared by the call, the console, presence and the live toasts.
let socket = null;

export function pageSocket() {
  socket ||= connectSocket();
  return socket;
}
