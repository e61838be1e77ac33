// After a call: the client's review form when it went live; when a category call found
// nobody (declined), the offer to be called back (POST /callbacks).
import { api } from "/static/js/api.js";
import { readData, show, t } from "/static/js/page.js";
import { reviewForm } from "/static/js/reviews.js";

const config = readData("call-config");
const root = document.getElementById("call");
const reviewHook = root.querySelector("[data-hook=review]");
const offer = root.querySelector("[data-role=callback-offer]");
let shown = false;

async function session() {
  try {
    return await api(`/api/v1/sessions/${encodeURIComponent(config.session_id)}`);
  } catch {
    return null;
  }
}

function wentLive(summary) {
  return (summary.live_seconds || 0) > 0 || Boolean(summary.live_started_at);
}

function offerCallback(category, topic) {
  const form = offer.querySelector("form");
  const status = offer.querySelector("[data-role=callback-status]");
  form.elements.topic.value = topic || "";
  show(offer);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await api("/api/v1/callbacks", { method: "POST", body: { category, topic: form.elements.topic.value.trim() } });
      status.textContent = t("callback.left");
      form.hidden = true;
    } catch (error) {
      status.textContent = error.status === 409 ? t("callback.already") : t("callback.failed", { message: error.message });
      submit.disabled = error.status === 409;
    }
  });
}

document.addEventListener("helpcall:summary", async ({ detail }) => {
  if (shown || config.role !== "client") return;
  shown = true;
  // The summary event does not say whether a call of 0 s went live: the session does.
  const found = wentLive(detail) ? null : await session();
  if (wentLive(detail) || (found && wentLive(found))) {
    reviewHook.replaceChildren(reviewForm(config.session_id));
  } else if (detail.end_reason === "declined" && found?.category) {
    offerCallback(found.category, found.topic);
  }
});
