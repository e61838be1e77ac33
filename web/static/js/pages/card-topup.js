// Card top-ups with Stripe.js (HELPCALL_PAYMENTS=stripe, docs/payments.md), and refunds.
//
// Stripe.js is loaded from the server's STRIPE_JS_URL when the payer continues, never
// bundled. The amount becomes a top-up (a PaymentIntent) on our server; Stripe.js's Payment
// Element takes the card and confirms it, 3-D Secure included, possibly by leaving the page
// and coming back to /wallet?topup=<id>. Either way the page then asks our server how the
// top-up ended; the server reads the PaymentIntent back from Stripe, so a lost webhook never
// loses a payment. A Stripe.js without confirmPayment (the localstripe stand-in that the
// tests serve) gets the older card flow: a card from Stripe.js, confirmed by our server,
// 3-D Secure by Stripe.js's confirmCardPayment.
import { api } from "/static/js/api.js";
import { toCents } from "/static/js/amount-input.js";
import { formatAmount } from "/static/js/money.js";
import { t } from "/static/js/page.js";

const section = document.getElementById("card-topup");
const amountForm = document.getElementById("card-amount-form");
const payForm = document.getElementById("card-pay-form");
const payButton = document.getElementById("card-pay");
const mountPoint = document.getElementById("payment-element");
const status = document.getElementById("card-topup-status");
const topups = section?.dataset.topups;

const POLLS = 20; // about 20 s of asking before saying the bank is still on it
let stripeJs = null;
let current = null; // { started, stripe, elements, element, paymentElement }

function say(element, text, tone = "") {
  element.textContent = text;
  element.dataset.tone = tone;
}

function loadStripe() {
  stripeJs ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = section.dataset.stripeJs;
    script.addEventListener("load", () => (window.Stripe ? resolve(window.Stripe) : reject(new Error("Stripe.js"))));
    script.addEventListener("error", () => {
      stripeJs = null;
      reject(new Error("Stripe.js could not be loaded"));
    });
    document.head.append(script);
  });
  return stripeJs;
}

function reset() {
  current?.element.destroy?.();
  current = null;
  mountPoint.replaceChildren();
  payForm.hidden = true;
  amountForm.hidden = false;
  for (const button of section.querySelectorAll("button")) button.disabled = false;
}

async function begin(cents) {
  const started = await api(topups, { method: "POST", body: { amount_cents: cents } });
  const Stripe = await loadStripe();
  const stripe = Stripe(started.publishable_key);
  const paymentElement = typeof stripe.confirmPayment === "function";
  const elements = stripe.elements({ clientSecret: started.client_secret, locale: document.documentElement.lang });
  const element = elements.create(paymentElement ? "payment" : "card");
  element.mount(mountPoint);
  current = { started, stripe, elements, element, paymentElement };
  payButton.textContent = t("card.pay_amount", { amount: formatAmount(started.amount_cents) });
  amountForm.hidden = true;
  payForm.hidden = false;
}

// Confirms with Stripe.js; null when the payer can fix something and try again.
async function confirm() {
  const { started, stripe, elements, element, paymentElement } = current;
  if (paymentElement) {
    const back = new URL(location.href);
    back.search = "";
    back.searchParams.set("topup", started.topup_id);
    const { error } = await stripe.confirmPayment({
      elements,
      confirmParams: { return_url: back.href },
      redirect: "if_required",
    });
    if (error?.type === "validation_error") return error.message;
    return null;
  }
  const { token, error } = await stripe.createToken(element);
  if (error) return error.message || t("card.check_card");
  const confirmed = await api(`${topups}/${started.topup_id}/confirm`, {
    method: "POST",
    body: { payment_method: token.card.id },
  });
  if (confirmed.requires_action) await stripe.confirmCardPayment(started.client_secret);
  return null;
}

async function follow(topupId) {
  say(status, t("card.checking"));
  let topup;
  for (let i = 0; i < POLLS; i += 1) {
    topup = await api(`${topups}/${encodeURIComponent(topupId)}`);
    if (topup.status !== "pending") break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (topup.status === "succeeded") {
    say(status, t("card.succeeded", { amount: formatAmount(topup.amount_cents) }), "good");
    document.dispatchEvent(new CustomEvent("wallet:changed"));
  } else if (topup.status === "failed" && topup.error === "canceled") {
    say(status, t("card.cancelled"), "bad");
  } else if (topup.status === "failed") {
    say(status, t("card.failed", { message: topup.error || "" }), "bad");
  } else {
    say(status, t("card.pending"));
  }
}

amountForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const cents = toCents(amountForm.elements.amount.value);
  if (!cents) {
    say(status, t("wallet.bad_amount"), "bad");
    return;
  }
  amountForm.querySelector("button").disabled = true;
  say(status, "");
  try {
    await begin(cents);
  } catch (error) {
    reset();
    say(status, t("card.unavailable", { message: error.message }), "bad");
  }
});

payForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!current) return;
  for (const button of payForm.querySelectorAll("button")) button.disabled = true;
  const topupId = current.started.topup_id;
  try {
    const fixable = await confirm();
    if (fixable) {
      say(status, fixable, "bad");
      for (const button of payForm.querySelectorAll("button")) button.disabled = false;
      return;
    }
    reset();
    await follow(topupId);
  } catch (error) {
    reset();
    say(status, t("card.unavailable", { message: error.message }), "bad");
  }
});

document.getElementById("card-cancel")?.addEventListener("click", () => {
  reset();
  say(status, "");
});

// Back from Stripe (3-D Secure or a bank's page): settle what that top-up became.
const returned = new URLSearchParams(location.search).get("topup");
if (section && returned) {
  history.replaceState(null, "", location.pathname);
  follow(returned).catch((error) => say(status, t("card.unavailable", { message: error.message }), "bad"));
}

// Refunds of unused credit to the card(s) it came from.
const refundSection = document.getElementById("card-refund");
const refundForm = document.getElementById("card-refund-form");
const refundStatus = document.getElementById("card-refund-status");

refundForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const cents = toCents(refundForm.elements.amount.value);
  if (!cents) {
    say(refundStatus, t("wallet.bad_amount"), "bad");
    return;
  }
  const button = refundForm.querySelector("button");
  button.disabled = true;
  try {
    const refund = await api(refundSection.dataset.refunds, { method: "POST", body: { amount_cents: cents } });
    const amount = formatAmount(refund.refunded_cents);
    if (refund.status === "succeeded") say(refundStatus, t("card.refunded", { amount }), "good");
    else if (refund.status === "partial") say(refundStatus, t("card.refund_partial", { amount }), "bad");
    else say(refundStatus, t("card.refund_failed", { message: "" }), "bad");
    document.dispatchEvent(new CustomEvent("wallet:changed"));
  } catch (error) {
    say(refundStatus, t("card.refund_failed", { message: error.message }), "bad");
  } finally {
    button.disabled = false;
  }
});
