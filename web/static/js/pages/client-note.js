// The expert's private note on the client of this call: read when the call page opens
// (so the expert sees what they wrote last time), saved with the button. The server
// answers 404 to anyone but the call's expert, and the form then stays hidden.
import { api } from "/static/js/api.js";
import { show, t } from "/static/js/page.js";

const form = document.querySelector("[data-role=client-note]");
const status = form?.querySelector("[data-role=client-note-status]");
const path = form && `/api/v1/sessions/${encodeURIComponent(form.dataset.sessionId)}/note`;

async function load() {
  try {
    const note = await api(path);
    form.elements.text.value = note.text;
    show(form);
  } catch {
    show(form, false);
  }
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await api(path, { method: "PUT", body: { text: form.elements.text.value } });
    status.textContent = t("note.saved");
  } catch (error) {
    status.textContent = t("note.failed", { message: error.message });
  }
});

if (form) load();
