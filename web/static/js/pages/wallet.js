// The wallet: balance, the test top-up, and the history of movements.
import { api } from "/static/js/api.js";
import { formatAmount } from "/static/js/money.js";
import { formatDateTime, t } from "/static/js/page.js";
import { toCents } from "/static/js/amount-input.js";

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

async function loadBalance() {
  try {
    const wallet = await api("/api/v1/wallet");
    renderBalance(wallet.balance_cents, wallet.currency);
  } catch {
    balance.textContent = t("wallet.load_failed");
  }
}

async function loadLedger() {
  let entries;
  try {
    entries = (await api("/api/v1/wallet/ledger"))?.entries || [];
  } catch {
    rows.replaceChildren(row([cell(t("wallet.load_failed"), "muted")], 4));
    return;
  }
  if (!entries.length) {
    rows.replaceChildren(row([cell(t("wallet.empty"), "muted")], 4));
    return;
  }
  rows.replaceChildren(
    ...entries.map((entry) => {
      const tr = document.createElement("tr");
      tr.dataset.kind = entry.kind;
      // Holds and releases reserve money for a call without moving it: shown unsigned, greyed.
      const amount = Math.abs(entry.amount_cents);
      const moved = { topup: `+${formatAmount(amount)}`, charge: formatAmount(-amount), refund: formatAmount(-amount) }[entry.kind];
      tr.append(
        cell(formatDateTime(entry.at)),
        cell(t(`ledger.${entry.kind}`)),
        cell(moved ?? formatAmount(amount), moved ? "num" : "num muted"),
        cell(formatAmount(entry.balance_cents), "num"),
      );
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

// A card top-up or a refund settled (pages/card-topup.js).
document.addEventListener("wallet:changed", () => {
  loadBalance();
  loadLedger();
});

loadBalance();
loadLedger();
