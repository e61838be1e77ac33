// The wallet: balance, held and available, the test top-up, and the statement.
import { api } from "/static/js/api.js";
import { formatAmount } from "/static/js/money.js";
import { formatDateTime, t } from "/static/js/page.js";
import { toCents } from "/static/js/amount-input.js";
import { otherName } from "/static/js/people.js";
import { statementLines } from "/static/js/statement.js";

const balance = document.getElementById("balance");
const rows = document.getElementById("ledger-rows");
const form = document.getElementById("topup-form");
const status = document.getElementById("topup-status");

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderBalance(cents, currency) {
  balance.textContent = formatAmount(cents, currency);
  balance.dataset.balanceCents = String(cents);
}

// Balance, what calls and bookings hold, and what is left to spend.
function renderFigures(wallet) {
  renderBalance(wallet.balance_cents, wallet.currency);
  for (const [id, cents] of [["held", wallet.held_cents], ["available", wallet.available_cents]]) {
    const figure = document.getElementById(id);
    figure.textContent = formatAmount(cents, wallet.currency);
    figure.dataset[`${id}Cents`] = String(cents);
  }
}

async function loadBalance() {
  try {
    renderFigures(await api("/api/v1/wallet"));
  } catch {
    balance.textContent = t("wallet.load_failed");
  }
}

// The ledger, worded with the sessions' other side and the bookings' days.
async function loadLedger() {
  loadBalance();
  let entries, sessions, bookings;
  try {
    [entries, sessions, bookings] = await Promise.all([
      api("/api/v1/wallet/ledger").then((answer) => answer?.entries || []),
      api("/api/v1/sessions").then((answer) => answer?.sessions || []).catch(() => []),
      api("/api/v1/bookings").then((answer) => answer?.bookings || []).catch(() => []),
    ]);
  } catch {
    rows.replaceChildren(row([cell(t("wallet.load_failed"), "muted")], 4));
    return;
  }
  const charged = sessions.filter((s) => entries.some((e) => e.session_id === s.id));
  await Promise.all(charged.map(async (s) => (s.other_name = await otherName(s))));
  const lines = statementLines(entries, {
    sessions: new Map(charged.map((s) => [s.id, s])),
    bookings: new Map(bookings.map((b) => [b.id, b])),
  });
  if (!lines.length) {
    rows.replaceChildren(row([cell(t("wallet.empty"), "muted")], 4));
    return;
  }
  rows.replaceChildren(
    ...lines.map((line) => {
      const tr = document.createElement("tr");
      tr.dataset.kind = line.kind;
      tr.dataset.style = line.style;
      const what = cell(line.text, "what");
      if (line.note) {
        const note = document.createElement("span");
        note.className = "note muted";
        note.textContent = line.note;
        what.append(note);
      }
      tr.append(cell(formatDateTime(line.at)), what, cell(line.amount, `num ${line.style}`), cell(formatAmount(line.balance), "num"));
      return tr;
    }),
  );
}

function row(cells, span) {
  const tr = document.createElement("tr");
  cells[0].colSpan = span;
  tr.append(...cells);
  return tr;
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const cents = toCents(form.elements.amount.value);
  if (!cents) {
    status.textContent = t("wallet.bad_amount");
    return;
  }
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = true;
  try {
    const answer = await api("/api/v1/wallet/topups", { method: "POST", body: { amount_cents: cents } });
    renderBalance(answer.balance_cents);
    status.textContent = t("wallet.added", { amount: formatAmount(cents) });
    loadLedger();
  } catch (error) {
    status.textContent = t("wallet.topup_failed", { message: error.message });
  } finally {
    submit.disabled = false;
  }
});

// A card top-up or a refund settled (pages/card-topup.js): the figures and the statement.
document.addEventListener("wallet:changed", () => loadLedger());

loadLedger();
