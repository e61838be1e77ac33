// A brand's balance: shown again once a card top-up has settled (pages/card-topup.js).
import { api } from "/static/js/api.js";
import { formatAmount } from "/static/js/money.js";

const section = document.getElementById("brand-balance");
const balance = document.getElementById("balance");

document.addEventListener("wallet:changed", async () => {
  try {
    const wallet = await api(section.dataset.balance);
    balance.textContent = formatAmount(wallet.balance_cents, wallet.currency);
  } catch {
    // The amount shown stays; the top-up's own status line already said what happened.
  }
});
