// The branded page's "Call now": a brand call (call:start {brand, topic}) through the
// browser app's own starting flow, which opens the call page once the call is queued.
import { callNow } from "/static/js/pages/starting.js";

const form = document.getElementById("brand-call");
const errorBox = document.getElementById("brand-call-error");

if (form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = document.getElementById("brand-call-now");
    button.disabled = true;
    errorBox.hidden = true;
    const topic = form.elements.topic.value.trim();
    const error = await callNow({ brand: document.body.dataset.brand }, topic, location.pathname);
    button.disabled = false;
    if (error) {
      // The sentence comes in the page's language, with a {message} to fill.
      errorBox.textContent = errorBox.dataset.failed.replace("{message}", error.message);
      errorBox.hidden = false;
    }
  });
}
