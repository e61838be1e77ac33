// "My appointments", for clients and experts: the list in the browser's time zone, cancel,
// propose or answer a new time, the invite (.ics), and the private calendar feed.
import { api } from "/static/js/api.js";
import { ask, pageSocket } from "/static/js/socket.js";
import { formatAmount } from "/static/js/money.js";
import { account, formatDateTime, show, t } from "/static/js/page.js";
import { browserZone, localDay, localTime } from "/static/js/slots.js";

const list = document.getElementById("booking-list");
const errorBox = document.getElementById("booking-error");
const zone = browserZone();

document.querySelector("[data-role=tz-note]").textContent = t("slots.zone", { zone });

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function button(label, action, className) {
  const control = node("button", className, label);
  control.type = "button";
  control.dataset.action = action;
  return control;
}

function when(start, end) {
  return t("appointments.when", { day: localDay(start, zone), start: localTime(start, zone), end: localTime(end, zone) });
}

function showError(message) {
  errorBox.textContent = message || "";
  show(errorBox, Boolean(message));
}

async function act(path, body) {
  showError("");
  try {
    await api(path, { method: "POST", body });
    await load();
    return true;
  } catch (error) {
    showError(t("appointments.failed", { message: error.message }));
    return false;
  }
}

// The booked call opens 5 minutes before the start (as the server rules): until then Join
// is a quiet, disabled button that says when it opens; at that time it turns into the call
// button by itself. The first side to join rings the other, the second answers.
const OPENS_BEFORE_MS = 5 * 60 * 1000;
const LONGEST_TIMER_MS = 2 ** 31 - 1;

function joinButton(booking) {
  const join = button(t("appointments.join"), "join");
  const wait = node("p", "join-wait");
  wait.id = `join-wait-${booking.id}`;
  const opensAt = Date.parse(booking.start) - OPENS_BEFORE_MS;
  const openNow = () => {
    join.removeAttribute("aria-disabled");
    join.removeAttribute("aria-describedby");
    join.className = "button-call";
    wait.remove();
  };
  if (Date.now() < opensAt) {
    join.className = "button-secondary";
    join.setAttribute("aria-disabled", "true");
    join.setAttribute("aria-describedby", wait.id);
    wait.textContent = t("appointments.join_opens", { when: formatDateTime(new Date(opensAt).toISOString()) });
    const delay = opensAt - Date.now();
    if (delay < LONGEST_TIMER_MS) setTimeout(openNow, delay);
  } else {
    openNow();
  }
  join.addEventListener("click", async () => {
    showError("");
    if (join.getAttribute("aria-disabled") === "true") {
      showError(wait.textContent);
      return;
    }
    join.disabled = true;
    try {
      const ack = await ask(pageSocket(), "booking:join", { booking_id: booking.id });
      location.assign(`/call/${encodeURIComponent(ack.session_id)}`);
    } catch (error) {
      showError(t("appointments.failed", { message: error.message }));
      join.disabled = false;
    }
  });
  return [join, wait];
}

// What the booking did with the client's money: held while booked, then returned, or paid.
function moneyFacts(booking, fact) {
  const amount = (cents) => formatAmount(cents, booking.currency);
  const held = booking.held_cents || 0;
  const paid = booking.amount_cents || 0;
  if (booking.state === "booked") {
    if (held) fact(t("appointments.held"), amount(held), "money");
    return;
  }
  if (paid) fact(t(booking.state === "cancelled" ? "appointments.fee" : "appointments.paid"), amount(paid), "money");
  if (held > paid) fact(t("appointments.returned"), amount(held - paid), "returned");
}

function proposeForm(booking) {
  const details = node("details", "propose");
  details.append(node("summary", null, t("appointments.propose")));
  const form = node("form", "inline-form");
  const field = node("div", "field");
  const id = `propose-${booking.id}`;
  const label = node("label", null, t("appointments.new_start"));
  label.htmlFor = id;
  const input = node("input");
  input.type = "datetime-local";
  input.id = id;
  input.required = true;
  field.append(label, input);
  const submit = node("button", null, t("appointments.send_proposal"));
  submit.type = "submit";
  form.append(field, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value) return;
    // datetime-local is a wall time of this browser's zone; the server wants an instant.
    act(`/api/v1/bookings/${encodeURIComponent(booking.id)}/reschedule`, { start: new Date(input.value).toISOString() });
  });
  details.append(form);
  return details;
}

function card(booking) {
  const mySide = booking.client?.id === account?.id ? "client" : "expert";
  const other = mySide === "client" ? booking.expert : booking.client;
  const path = `/api/v1/bookings/${encodeURIComponent(booking.id)}`;
  const article = node("article", "card booking-card");
  article.dataset.bookingId = booking.id;
  article.dataset.state = booking.state;
  article.tabIndex = -1;
  const heading = node("h2", null, booking.topic?.trim() || t("appointments.untitled", { name: other?.display_name || "" }));
  const facts = node("dl", "facts");
  const fact = (label, value, role) => {
    const dd = node("dd", null, value);
    if (role) dd.dataset.role = role;
    facts.append(node("dt", null, label), dd);
    return dd;
  };
  fact(t("appointments.with"), other?.display_name || "");
  fact(t("appointments.time"), when(booking.start, booking.end), "when").dataset.start = booking.start;
  fact(t("appointments.state"), t(`booking.${booking.state}`), "state");
  if (mySide === "client") moneyFacts(booking, fact);
  if (booking.state === "booked") fact(t("appointments.free_until"), formatDateTime(booking.cancel_free_until));
  article.append(heading, facts);
  if (mySide === "expert" && booking.state === "booked") showNote(article, booking.client?.id);

  if (booking.state === "booked" && booking.reschedule) {
    const proposal = booking.reschedule;
    const box = node("div", "banner banner-info");
    box.dataset.role = "reschedule";
    const mine = proposal.proposed_by === mySide;
    box.append(node("p", null, t(mine ? "appointments.you_proposed" : "appointments.they_proposed", { when: when(proposal.start, proposal.end) })));
    const actions = node("div", "actions");
    if (!mine) {
      const accept = button(t("appointments.accept"), "accept-reschedule");
      accept.addEventListener("click", () => act(`${path}/reschedule/accept`));
      actions.append(accept);
    }
    const decline = button(t(mine ? "appointments.withdraw" : "appointments.decline"), "decline-reschedule", "button-secondary");
    decline.addEventListener("click", () => act(`${path}/reschedule/decline`));
    actions.append(decline);
    box.append(actions);
    article.append(box);
  }

  const actions = node("div", "actions");
  let joinWait = null;
  if (booking.state === "booked") {
    const [join, wait] = joinButton(booking);
    actions.append(join);
    joinWait = wait;
  }
  const invite = node("a", "button button-secondary", t("appointments.ics"));
  invite.href = `${path}.ics`;
  invite.download = `helpcall-${booking.id}.ics`;
  actions.append(invite);
  if (booking.state === "booked") {
    const cancel = button(t("appointments.cancel"), "cancel", "button-danger");
    cancel.addEventListener("click", () => act(`${path}/cancel`));
    actions.append(cancel);
  }
  article.append(actions);
  if (joinWait?.textContent) article.append(joinWait);
  if (booking.state === "booked") article.append(proposeForm(booking));
  return article;
}

// An expert sees their own private note on a client who books again (docs/privacy.md).
async function showNote(article, clientId) {
  if (!clientId) return;
  try {
    const note = await api(`/api/v1/clients/${encodeURIComponent(clientId)}/note`);
    if (note.text) article.querySelector(".facts").after(node("p", "hint client-note-text", t("note.yours", { text: note.text })));
  } catch {
    // Without a note the card is complete.
  }
}

async function load() {
  let bookings;
  try {
    bookings = (await api("/api/v1/bookings"))?.bookings || [];
  } catch {
    list.replaceChildren(node("p", "alert alert-error", t("appointments.load_failed")));
    return;
  } finally {
    list.setAttribute("aria-busy", "false");
  }
  if (!bookings.length) {
    list.replaceChildren(node("p", "muted", t("appointments.none")));
    return;
  }
  // Still to come first, soonest first; then the past, most recent first.
  const now = Date.now();
  const coming = bookings.filter((b) => b.state === "booked" && Date.parse(b.end) > now);
  const past = bookings.filter((b) => !coming.includes(b)).reverse();
  list.replaceChildren(...[...coming, ...past].map(card));
  const focus = list.dataset.focus;
  if (focus) {
    list.dataset.focus = "";
    const target = list.querySelector(`[data-booking-id="${CSS.escape(focus)}"]`);
    target?.classList.add("focused");
    target?.focus();
  }
}

// ---- the private calendar feed ----

const feedBox = document.querySelector("[data-role=feed-url-box]");
const feedStatus = document.querySelector("[data-role=feed-status]");
const createFeed = document.querySelector("[data-action=feed-create]");
const revokeFeed = document.querySelector("[data-action=feed-revoke]");

// The server keeps one feed URL per account: asking for a new one revokes the old one.
async function newFeed(message) {
  try {
    const feed = await api("/api/v1/calendar/token", { method: "POST" });
    document.getElementById("feed-url").value = feed.url;
    show(feedBox);
    show(createFeed, false);
    show(revokeFeed);
    feedStatus.textContent = message;
    document.getElementById("feed-url").select();
  } catch (error) {
    feedStatus.textContent = t("appointments.failed", { message: error.message });
  }
}

createFeed.addEventListener("click", () => newFeed(t("feed.created")));
revokeFeed.addEventListener("click", () => newFeed(t("feed.revoked")));
document.addEventListener("helpcall:notification", () => load());

load();
