// Session history, with a receipt to download for each session.
import { api } from "/static/js/api.js";
import { formatAmount, formatDuration } from "/static/js/money.js";
import { formatDateTime, t } from "/static/js/page.js";
import { otherName } from "/static/js/people.js";

const rows = document.getElementById("session-rows");

function cell(content, className) {
  const td = document.createElement("td");
  if (content instanceof Node) td.append(content);
  else td.textContent = content ?? "";
  if (className) td.className = className;
  return td;
}

function message(text) {
  const tr = document.createElement("tr");
  const td = cell(text, "muted");
  td.colSpan = 8;
  tr.append(td);
  rows.replaceChildren(tr);
}

function receiptText(session, withName) {
  const lines = [
    t("receipt.title"),
    "",
    `${t("receipt.session")}: ${session.id}`,
    `${t("receipt.date")}: ${formatDateTime(session.created_at)}`,
    `${t("receipt.expert")}: ${withName}`,
    `${t("receipt.topic")}: ${session.topic || ""}`,
    `${t("receipt.duration")}: ${formatDuration(session.live_seconds)}`,
    `${t("receipt.billed")}: ${formatDuration(session.billed_seconds)}`,
    `${t("receipt.amount")}: ${formatAmount(session.amount_cents || 0, session.currency)}`,
    `${t("receipt.outcome")}: ${t(`reason.${session.end_reason || "hangup"}`)}`,
    "",
    t("receipt.footer"),
  ];
  return lines.join("\n") + "\n";
}

function receiptLink(session, withName) {
  if (session.state !== "ended") return document.createTextNode("");
  const blob = new Blob([receiptText(session, withName)], { type: "text/plain;charset=utf-8" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `helpcall-receipt-${session.id}.txt`;
  link.textContent = t("sessions.download");
  link.dataset.role = "receipt";
  return link;
}

// The printable receipt with the timeline and the billing steps, for ended paid calls.
function receiptPageLink(session) {
  const paid = session.pricing && session.pricing.mode !== "free" && session.pricing.amount_cents > 0;
  if (session.state !== "ended" || !session.accepted_at || !paid) return "";
  const link = document.createElement("a");
  link.href = `/sessions/${encodeURIComponent(session.id)}/receipt`;
  link.textContent = t("sessions.view_receipt");
  link.dataset.role = "receipt-page";
  return link;
}

// The receipt page (paid calls) and the chat transcript, kept after hang-up (answered calls).
function pageLinks(session) {
  const box = document.createElement("span");
  const receipt = receiptPageLink(session);
  if (receipt) box.append(receipt);
  if (session.state === "ended" && session.accepted_at) {
    const link = document.createElement("a");
    link.href = `/sessions/${encodeURIComponent(session.id)}/transcript`;
    link.textContent = t("sessions.transcript");
    link.dataset.role = "transcript";
    if (receipt) box.append(" · ");
    box.append(link);
  }
  return box;
}

async function load() {
  let sessions;
  try {
    sessions = (await api("/api/v1/sessions"))?.sessions || [];
  } catch {
    message(t("sessions.load_failed"));
    return;
  }
  if (!sessions.length) {
    message(t("sessions.none"));
    return;
  }
  const built = await Promise.all(
    sessions.map(async (session) => {
      const withName = await otherName(session);
      const tr = document.createElement("tr");
      tr.dataset.sessionId = session.id;
      const outcome = session.state === "ended" ? t(`reason.${session.end_reason || "hangup"}`) : t(`state.${session.state}`);
      tr.append(
        cell(formatDateTime(session.created_at)),
        cell(withName),
        cell(session.topic),
        cell(formatDuration(session.live_seconds), "num"),
        cell(formatAmount(session.amount_cents || 0, session.currency), "num"),
        cell(outcome),
        cell(receiptLink(session, withName)),
        cell(pageLinks(session)),
      );
      return tr;
    }),
  );
  rows.replaceChildren(...built);
}

load();
