// The expert's own profile: headline, bio, categories, languages and price.
import { api } from "/static/js/api.js";
import { t } from "/static/js/page.js";
import { toCents } from "/static/js/amount-input.js";

const form = document.getElementById("profile-form");
const status = form.querySelector("[data-role=profile-status]");

function fill(profile) {
  form.elements.headline.value = profile.headline || "";
  form.elements.bio.value = profile.bio || "";
  for (const box of form.querySelectorAll("input[name=categories]")) box.checked = (profile.categories || []).includes(box.value);
  for (const box of form.querySelectorAll("input[name=languages]")) box.checked = (profile.languages || []).includes(box.value);
  const mode = profile.pricing?.mode || "per_minute";
  form.querySelector(`input[name=mode][value="${mode}"]`).checked = true;
  form.elements.price.value = ((profile.pricing?.amount_cents || 0) / 100).toFixed(2);
}

async function load() {
  try {
    fill(await api("/api/v1/experts/me"));
  } catch (error) {
    if (error.status !== 404) status.textContent = t("profile.load_failed");
  } finally {
    form.setAttribute("aria-busy", "false");
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const mode = form.querySelector("input[name=mode]:checked").value;
  const cents = mode === "free" ? 0 : toCents(form.elements.price.value);
  if (cents === null) {
    status.textContent = t("wallet.bad_amount");
    return;
  }
  const body = {
    headline: form.elements.headline.value.trim(),
    bio: form.elements.bio.value.trim(),
    categories: [...form.querySelectorAll("input[name=categories]:checked")].map((b) => b.value),
    languages: [...form.querySelectorAll("input[name=languages]:checked")].map((b) => b.value),
    pricing: { mode, amount_cents: cents },
  };
  try {
    fill(await api("/api/v1/experts/me", { method: "PUT", body }));
    status.textContent = t("profile.saved");
  } catch (error) {
    status.textContent = t("profile.save_failed", { message: error.message });
  }
});

load();
