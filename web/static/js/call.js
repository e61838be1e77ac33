// One call, in one place: the peer connection with perfect negotiation, the signal
// relay, media state reports, re-joining after a reconnect, chat, screen share and hang-up.
// The view (call-view.js, console.js) listens to the events of a Call and calls its methods.
import { ask, refusal, whenConnected } from "/static/js/socket.js";
import { mediaConstraints } from "/static/js/device-prefs.js";

// The other side may not be listening yet when the first offer leaves (an expert still
// opening the call page): an unanswered offer is sent again this often.
const OFFER_RESEND_MS = 2000;

// ---- one call ---------------------------------------------------------------------

const WITH_PEER = new Set(["accepted", "live", "paused"]);
// How far along a session is; `live` and `paused` alternate, so neither is ahead.
const RANK = { connecting: 0, queued: 1, ringing: 2, accepted: 3, live: 4, paused: 4, ended: 5 };

export class Call extends EventTarget {
  constructor({ socket, sessionId, role, accountId }) {
    super();
    this.socket = socket;
    this.accountId = accountId;
    this.sessionId = sessionId;
    this.role = role; // "client" or "expert"
    this.state = "connecting";
    this.polite = role === "expert";
    this.iceServers = [];
    this.pc = null;
    this.localStream = null;
    this.cameraTrack = null;
    this.screenTrack = null;
    this.tracksAdded = false;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.pendingCandidates = [];
    this.reported = null;
    this.lastOfferAt = 0;
    this.joinedOnce = false;
    this.joined = false;
    this.early = [];
    this.chatIds = new Set();
    this.summary = null;
    let joined;
    this.ready = new Promise((resolve) => (joined = resolve));
    this.markJoined = joined;
    this.signals = Promise.resolve();

    const mine = (handler) => (payload) => {
      if (payload?.session_id === this.sessionId) handler(payload);
    };
    // Until the join answers, states wait: a connection must not start before the media and
    // the role are known. Those that are newer than the join's answer are applied after it.
    socket.on("call:state", mine((p) => (this.joined ? this.#applyState(p) : this.early.push(p))));
    socket.on("signal", mine((p) => this.#queueSignal(p)));
    socket.on("chat", mine((p) => this.#onChat(p)));
    socket.on("call:summary", mine((p) => this.#onSummary(p)));
    socket.on("balance:low", mine((p) => this.#emit("balance-low", p)));
    socket.on("queue", mine((p) => this.#emit("queue", p)));
    socket.on("connect", () => {
      this.#emit("socket", { connected: true });
      if (this.joinedOnce && this.state !== "ended") this.#rejoin();
    });
    socket.on("disconnect", () => this.#emit("socket", { connected: false }));
    socket.on("connect_error", (error) => {
      const refused = refusal(error);
      if (refused) this.#emit("fatal", { code: refused.code });
    });

    this.onNetworkChange = () => this.#restartIce();
    window.addEventListener("online", this.onNetworkChange);
    navigator.connection?.addEventListener?.("change", this.onNetworkChange);
    this.resendTimer = setInterval(() => this.#resendOffer(), 1000);
  }

  #emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // Media first (the preview shows while it rings), then join the session's room.
  async start() {
    await Promise.all([this.#openMedia(), whenConnected(this.socket)]);
    await this.#join(false);
  }

  async #openMedia() {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.#emit("media-error", { name: "NotSupportedError" });
      return;
    }
    const wanted = mediaConstraints();
    try {
      this.localStream = await navigator.mediaDevices.getUserMedia(wanted);
    } catch (error) {
      this.#emit("media-error", { name: error.name });
      try {
        this.localStream = await navigator.mediaDevices.getUserMedia({ audio: wanted.audio });
      } catch {
        this.localStream = null; // receive only: the call still works one way
      }
    }
    this.cameraTrack = this.localStream?.getVideoTracks()[0] || null;
    if (this.localStream) this.#emit("local-stream", { stream: this.localStream });
  }

  async #join(again) {
    let ack;
    try {
      ack = await ask(this.socket, "call:join", { session_id: this.sessionId });
    } catch (error) {
      if (this.state === "ended") return;
      await this.#joinRefused(error);
      return;
    } finally {
      this.joinedOnce = true;
    }
    this.joined = true;
    if (ack.state === "ended") {
      await this.#showEnded(); // a page opened after the end: the summary event is long gone
      return;
    }
    this.#applyState({ ...ack, session_id: this.sessionId }, { fresh: !again });
    for (const early of this.early.splice(0)) {
      if (RANK[early.state] > RANK[this.state]) this.#applyState(early);
    }
    this.#emit("joined", ack);
    // Messages sent while this socket was away (the server may send the history).
    for (const message of ack.chat || []) this.#onChat({ ...message, session_id: this.sessionId });
    this.markJoined();
    if (again && this.pc) {
      // protocol §3: after call:join the participant reports its media state again.
      const connected = this.pc.connectionState === "connected";
      this.#report(connected ? "connected" : "disconnected", true);
      if (!connected && !this.polite) this.#restartIce();
    }
  }

  #rejoin() {
    this.#join(true).catch((error) => console.warn("call:join", error));
  }

  // A session we may not join: gone, not ours, or already over (then show its outcome).
  async #joinRefused(error) {
    if (error.code === "unauthorized") {
      this.#emit("fatal", { code: "unauthorized" });
      return;
    }
    const session = await this.#showEnded();
    if (session?.state === "ended") return;
    if (!session || error.code === "not_found" || error.code === "forbidden") {
      this.#emit("fatal", { code: "call_not_found" });
    } else {
      this.#emit("error", { code: error.code, message: error.message });
    }
  }

  // The session as the API tells it; when it has ended, its state and summary are shown.
  async #showEnded() {
    let session = null;
    try {
      const response = await fetch(`/api/v1/sessions/${encodeURIComponent(this.sessionId)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) session = await response.json();
    } catch {
      session = null;
    }
    if (session?.state === "ended") {
      this.#applyState({ session_id: this.sessionId, state: "ended", reason: session.end_reason });
      this.#onSummary({ ...session, session_id: this.sessionId });
    }
    return session;
  }

  #applyState(payload, { fresh = false } = {}) {
    if (this.state === "ended") return;
    const previous = this.state;
    this.state = payload.state;
    if (typeof payload.polite === "boolean") this.polite = payload.polite;
    if (Array.isArray(payload.ice_servers)) this.iceServers = payload.ice_servers;
    if (WITH_PEER.has(this.state) && !this.pc) {
      // The client makes the offer. An expert whose page opens on a call already live
      // (a reload) offers too: the other side still holds the old connection.
      const offerNow = this.role === "client" || (fresh && previous === "connecting" && this.state !== "accepted");
      this.#createPeer(offerNow);
    }
    if (this.state === "ended") this.#teardown();
    this.#emit("state", {
      state: this.state,
      previous,
      reason: payload.reason ?? null,
      live_seconds: payload.live_seconds,
    });
  }

  // ---- the peer connection ----

  #createPeer(addTracks) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    this.tracksAdded = false;
    this.pendingCandidates = [];
    pc.onicecandidate = ({ candidate }) => {
      // A null candidate means the end of candidates; the relay passes it on as is.
      this.#send({ candidate: candidate ? candidate.toJSON() : null });
    };
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.#send({ description: pc.localDescription.toJSON() });
      } catch (error) {
        console.warn("negotiation", error);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.ontrack = ({ track, streams }) => {
      let stream = streams[0];
      if (!stream) {
        this.remoteStream ||= new MediaStream();
        this.remoteStream.addTrack(track);
        stream = this.remoteStream;
      }
      this.#emit("remote-stream", { stream });
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      const state = pc.connectionState;
      if (state === "connected") this.#report("connected");
      else if (state === "disconnected" || state === "failed") this.#report("disconnected");
      if (state === "failed") this.#restartIce();
      this.#emit("connection", { state });
    };
    if (addTracks) this.#addLocalTracks();
  }

  // The expert adds its tracks while answering, so they ride on the client's offer.
  #addLocalTracks() {
    if (this.tracksAdded || !this.pc) return;
    this.tracksAdded = true;
    const stream = this.localStream || new MediaStream();
    for (const kind of ["audio", "video"]) {
      const track = stream.getTracks().find((t) => t.kind === kind);
      if (track) this.pc.addTrack(track, stream);
      else if (this.role === "client") this.pc.addTransceiver(kind, { direction: "recvonly" });
    }
  }

  #send(payload) {
    if (payload.description?.type === "offer") this.lastOfferAt = performance.now();
    if (!this.socket.connected) return; // after call:join, an ICE restart renegotiates
    ask(this.socket, "signal", { session_id: this.sessionId, ...payload }).catch((error) =>
      console.warn("signal", error.code, error.message),
    );
  }

  #resendOffer() {
    const pc = this.pc;
    if (!pc || this.state === "ended" || this.makingOffer) return;
    if (pc.signalingState !== "have-local-offer" || !pc.localDescription) return;
    if (performance.now() - this.lastOfferAt < OFFER_RESEND_MS) return;
    this.#send({ description: pc.localDescription.toJSON() });
  }

  #queueSignal(message) {
    // One at a time, in arrival order, and only once the join has told us our role.
    this.signals = this.signals
      .then(() => this.ready)
      .then(() => this.#onSignal(message))
      .catch((error) => console.warn("signal handling", error));
  }

  async #onSignal(message) {
    if (this.state === "ended") return;
    if (!this.pc) this.#createPeer(false);
    if (message.description) await this.#onDescription(message.description);
    else if ("candidate" in message) await this.#onCandidate(message.candidate);
  }

  async #onDescription(description) {
    let pc = this.pc;
    const remote = pc.remoteDescription;
    if (description.type === "offer" && remote?.type === "offer" && remote.sdp === description.sdp) {
      // The same offer again (see OFFER_RESEND_MS): our answer must have been lost.
      if (pc.signalingState === "stable" && pc.localDescription) {
        this.#send({ description: pc.localDescription.toJSON() });
      }
      return;
    }
    if (description.type === "answer" && pc.signalingState === "stable") return; // a duplicate
    const collision = description.type === "offer" && (this.makingOffer || pc.signalingState !== "stable");
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    try {
      await pc.setRemoteDescription(description); // rolls back our own offer when polite
    } catch (error) {
      if (description.type !== "offer") throw error;
      // The other side started afresh (its page reloaded): so do we.
      this.#closePeer();
      this.#createPeer(false);
      pc = this.pc;
      await pc.setRemoteDescription(description);
    }
    for (const candidate of this.pendingCandidates.splice(0)) await this.#addCandidate(candidate);
    if (description.type === "offer") {
      this.#addLocalTracks();
      await pc.setLocalDescription();
      this.#send({ description: pc.localDescription.toJSON() });
    }
  }

  async #onCandidate(candidate) {
    if (!this.pc.remoteDescription) {
      this.pendingCandidates.push(candidate);
      return;
    }
    await this.#addCandidate(candidate);
  }

  async #addCandidate(candidate) {
    try {
      // null or an empty string: the end of the other side's candidates.
      if (!candidate || !candidate.candidate) await this.pc.addIceCandidate();
      else await this.pc.addIceCandidate(candidate);
    } catch (error) {
      if (!this.ignoreOffer) console.warn("candidate", error);
    }
  }

  #report(state, force = false) {
    if (!force && this.reported === state) return;
    this.reported = state;
    if (!this.socket.connected) return; // reported again after the next call:join
    ask(this.socket, "media", { session_id: this.sessionId, state }).catch((error) =>
      console.warn("media", error.code, error.message),
    );
  }

  #restartIce() {
    if (this.pc && this.state !== "ended" && this.pc.signalingState !== "closed") this.pc.restartIce();
  }

  #closePeer() {
    if (!this.pc) return;
    this.pc.onicecandidate = this.pc.ontrack = this.pc.onnegotiationneeded = null;
    this.pc.close();
    this.pc = null;
  }

  #teardown() {
    clearInterval(this.resendTimer);
    window.removeEventListener("online", this.onNetworkChange);
    navigator.connection?.removeEventListener?.("change", this.onNetworkChange);
    this.#closePeer();
    this.screenTrack?.stop();
    this.localStream?.getTracks().forEach((track) => track.stop());
  }

  // ---- what the person does ----

  async hangUp() {
    if (this.state === "ended") return;
    const before = ["connecting", "queued", "ringing"].includes(this.state);
    const event = before && this.role === "client" ? "call:cancel" : "call:hangup";
    await ask(this.socket, event, { session_id: this.sessionId });
  }

  async sendChat(text) {
    const ack = await ask(this.socket, "chat", { session_id: this.sessionId, text });
    return ack.message_id;
  }

  #onChat(message) {
    if (this.chatIds.has(message.message_id)) return;
    this.chatIds.add(message.message_id);
    this.#emit("chat", { ...message, mine: message.from === this.accountId });
  }

  #onSummary(summary) {
    if (this.summary) return;
    this.summary = summary;
    this.#emit("summary", summary);
  }

  setMuted(muted) {
    this.localStream?.getAudioTracks().forEach((track) => (track.enabled = !muted));
  }

  setCameraOff(off) {
    if (this.cameraTrack) this.cameraTrack.enabled = !off;
  }

  #videoSender() {
    const transceiver = this.pc
      ?.getTransceivers()
      .find((tr) => tr.sender.track?.kind === "video" || (tr.receiver.track?.kind === "video" && !tr.stopped));
    return transceiver || null;
  }

  // The screen replaces the camera on the same sender: no renegotiation when there is one.
  async startShare() {
    if (this.screenTrack) return;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    this.screenTrack = track;
    track.onended = () => this.stopShare();
    const transceiver = this.#videoSender();
    if (transceiver) {
      if (transceiver.direction === "recvonly" || transceiver.direction === "inactive") {
        transceiver.direction = "sendrecv"; // renegotiates through negotiationneeded
      }
      await transceiver.sender.replaceTrack(track);
    } else if (this.pc) {
      this.pc.addTrack(track, stream);
    }
    this.#emit("sharing", { on: true, stream });
  }

  async stopShare() {
    const track = this.screenTrack;
    if (!track) return;
    this.screenTrack = null;
    track.onended = null;
    track.stop();
    const transceiver = this.#videoSender();
    if (transceiver && this.state !== "ended") await transceiver.sender.replaceTrack(this.cameraTrack);
    this.#emit("sharing", { on: false, stream: this.localStream });
  }
}
