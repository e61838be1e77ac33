// The expert's own profile: photo, headline, bio, categories, languages and price.
import { api } from "/static/js/api.js";
import { t } from "/static/js/page.js";
import { toCents } from "/static/js/amount-input.js";

const form = document.getElementById("profile-form");
const status = form.querySelector("[data-role=profile-status]");
const languages = document.getElementById("languages");
const languagesError = document.getElementById("languages-error");
const photoInput = document.getElementById("photo");
const photoStatus = document.querySelector("[data-role=photo-status]");
const preview = document.querySelector("[data-role=photo-preview]");
const PHOTO_MAX_BYTES = 2 * 1024 * 1024;

function showPhoto(url) {
  if (!url) return;
  const image = document.createElement("img");
  image.src = url;
  image.alt = "";
  preview.replaceChildren(image);
  preview.dataset.photo = url;
}

// The photo goes up as soon as it is chosen (PUT /experts/me/photo, the image as the body).
photoInput.addEventListener("change", async () => {
  const file = photoInput.files[0];
  if (!file) return;
  if (file.size > PHOTO_MAX_BYTES) {
    photoStatus.textContent = t("profile.photo_too_big");
    return;
  }
  photoStatus.textContent = t("profile.photo_sending");
  try {
    const answer = await api("/api/v1/experts/me/photo", { method: "PUT", body: file });
    showPhoto(answer.photo_url);
    photoStatus.textContent = t("profile.photo_saved");
  } catch (error) {
    photoStatus.textContent = t("profile.photo_failed", { message: error.message });
  }
});

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
    const own = await api("/api/v1/experts/me");
    fill(own);
    showPhoto(own.photo_url);
  } catch (error) {
    if (error.status !== 404) status.textContent = t("profile.load_failed");
    // A first profile: the language this person reads the app in is a sensible start.
    const mine = form.querySelector(`input[name=languages][value="${languages.dataset.lang}"]`);
    if (mine) mine.checked = true;
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
  const spoken = [...form.querySelectorAll("input[name=languages]:checked")].map((b) => b.value);
  languagesError.hidden = !!spoken.length;
  if (!spoken.length) {
    languagesError.textContent = t("profile.no_language");
    form.querySelector("input[name=languages]").focus();
    return;
  }
  const body = {
    headline: form.elements.headline.value.trim(),
    bio: form.elements.bio.value.trim(),
    categories: [...form.querySelectorAll("input[name=categories]:checked")].map((b) => b.value),
    languages: spoken,
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
