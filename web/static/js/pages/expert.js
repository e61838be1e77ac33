// An expert's profile: filled from the API, status kept live, and "Call now".
import { api } from "/static/js/api.js";
import { fillAvatar, ratingText, statusText } from "/static/js/experts.js";
import { favouriteButton, favouriteIds } from "/static/js/favourites.js";
import { loadReviews } from "/static/js/reviews.js";
import { startSlotPicker } from "/static/js/slots.js";
import { formatPrice } from "/static/js/money.js";
import { account, has, readData, show, t } from "/static/js/page.js";
import { callNow } from "/static/js/pages/starting.js";
import { askToConfirm, promptBox } from "/static/js/price-lock.js";

const STATUS_EVERY_MS = 5000;
const profile = document.getElementById("profile");
const expertId = profile.dataset.expertId;
const fieldOf = (name) => profile.querySelector(`[data-field="${name}"]`);
const categoryNames = readData("category-names") || {};
// The price on the page: what a call is started at (protocol §7.2).
let shownPricing = null;

function render(expert) {
  document.title = `${expert.display_name} · helpcall`;
  fieldOf("display_name").textContent = expert.display_name;
  fieldOf("headline").textContent = expert.headline || "";
  fieldOf("bio").textContent = expert.bio || "";
  fieldOf("price").textContent = formatPrice(expert.pricing);
  shownPricing = expert.pricing;
  fieldOf("rating").textContent = ratingText(expert);
  fieldOf("reviews_summary").textContent = ratingText(expert);
  fieldOf("categories").textContent = (expert.categories || []).map((c) => categoryNames[c] || c).join(", ");
  fieldOf("languages").textContent = (expert.languages || [])
    .map((code) => (has(`language.${code}`) ? t(`language.${code}`) : code))
    .join(", ");
  fillAvatar(fieldOf("avatar"), expert);
  renderStatus(expert.status);
  profile.setAttribute("aria-busy", "false");
  favouriteIds().then((ids) => {
    if (ids) profile.querySelector(".profile-actions").replaceChildren(favouriteButton(expert, ids.has(expert.id)));
  });
  loadReviews(profile.querySelector("[data-role=review-list]"), expertId, { canReply: account?.id === expertId });
  showReliability();
  startSlotPicker(document.getElementById("booking"), expert);
}

// Appointments kept, missed by the expert, or cancelled late: clients judge no-shows here.
async function showReliability() {
  try {
    const counts = await api(`/api/v1/experts/${encodeURIComponent(expertId)}/reliability`);
    const booked = counts.attended + counts.no_shows + counts.late_cancellations;
    if (booked > 0) fieldOf("reliability").textContent = t("reliability.summary", { kept: counts.attended, booked });
  } catch {
    // The profile stands without it.
  }
}

function renderStatus(status) {
  const badge = fieldOf("status");
  badge.dataset.status = status || "unknown";
  badge.textContent = statusText(status);
}

async function load() {
  try {
    render(await api(`/api/v1/experts/${encodeURIComponent(expertId)}`));
  } catch (error) {
    if (error.status === 404) location.replace("/problem/not_found");
    const message = document.getElementById("profile-error");
    message.textContent = t("expert.load_failed");
    show(message);
  }
}

async function refreshStatus() {
  if (document.hidden) return;
  try {
    const expert = await api(`/api/v1/experts/${encodeURIComponent(expertId)}`);
    renderStatus(expert.status);
  } catch {
    // keep the last known status; the next poll tries again
  }
}

const form = document.getElementById("call-form");
if (form) {
  const submit = form.querySelector("button[type=submit]");
  const errorBox = document.getElementById("call-error");
  const priceBox = promptBox(errorBox);
  const call = async () => {
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    show(errorBox, false);
    show(priceBox, false);
    // A blank topic stays blank: the expert is told none was given, not a made-up one.
    const topic = form.elements.topic.value.trim();
    const target = { expert_id: expertId, expected_pricing: shownPricing };
    const error = await callNow(target, topic, location.pathname);
    submit.disabled = false;
    submit.removeAttribute("aria-busy");
    if (error?.code === "price_changed" && error.detail.pricing) {
      // Nothing was held and nobody rung: show the new price, call only once confirmed.
      const was = shownPricing;
      shownPricing = error.detail.pricing;
      fieldOf("price").textContent = formatPrice(shownPricing);
      askToConfirm(priceBox, was, shownPricing, call);
    } else if (error) {
      errorBox.textContent = t("call.start_failed", { message: error.message });
      show(errorBox);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    call();
  });
}

load();
setInterval(refreshStatus, STATUS_EVERY_MS);
