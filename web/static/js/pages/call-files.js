// Photos and files shared during a call: sent over HTTP with a progress bar, and shown
// in the chat as a download link (with a preview for images) when the server posts them.
import { uploadFile } from "/static/js/api.js";
import { lang, show, t } from "/static/js/page.js";

const MAX_FILE_BYTES = 10 * 1024 * 1024;
const MEBIBYTE = 1024 * 1024;

export function formatSize(bytes) {
  const locale = lang === "fr" ? "fr-FR" : "en-GB";
  const [value, unit] = bytes >= MEBIBYTE ? [bytes / MEBIBYTE, "megabyte"] : [Math.max(1, bytes / 1024), "kilobyte"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, maximumFractionDigits: 1 }).format(value);
}

// What a chat message shows for a shared file.
export function fileView(file) {
  const box = document.createElement("p");
  box.className = "chat-file";
  const link = document.createElement("a");
  link.href = file.url;
  link.download = file.name;
  link.textContent = file.name;
  box.append(link, ` (${formatSize(file.size)})`);
  if (file.content_type.startsWith("image/")) {
    const image = document.createElement("img");
    image.className = "chat-image";
    image.src = file.url;
    image.alt = file.name;
    image.loading = "lazy";
    box.append(image);
  }
  return box;
}

// The form's file input sends what is chosen at once; one file at a time.
export function bindFileForm(form, sessionId) {
  const input = form.elements.file;
  const progress = form.querySelector("[data-role=file-progress]");
  const status = form.querySelector("[data-role=file-status]");
  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      status.textContent = t("call.file_too_large", { name: file.name, size: formatSize(file.size) });
      input.value = "";
      return;
    }
    input.disabled = true;
    progress.value = 0;
    show(progress);
    status.textContent = t("call.file_sending", { name: file.name });
    const path = `/api/v1/sessions/${encodeURIComponent(sessionId)}/files?name=${encodeURIComponent(file.name)}`;
    try {
      await uploadFile(path, file, (share) => {
        progress.value = Math.round(share * 100);
      });
      status.textContent = t("call.file_sent", { name: file.name });
    } catch (error) {
      show(progress, false);
      status.textContent = failure(file.name, error);
    } finally {
      input.value = "";
      input.disabled = form.dataset.closed === "true";
    }
  });
}

// What went wrong, in the page's language where the account's limits or the server's
// storage are the cause; else the server's own message.
function failure(name, error) {
  if (error.code === "rate_limited") {
    return t("call.file_rate_limited", { name, minutes: Math.max(1, Math.ceil((error.retryAfter || 60) / 60)) });
  }
  if (error.code === "too_large" && error.limit === "account") return t("call.file_quota_full", { name });
  if (error.code === "storage_full" || error.code === "storage_unavailable") {
    return t("call.file_storage_down", { name });
  }
  return t("call.file_failed", { name, message: error.message });
}

// Files can be shared from the answer until the end of the call.
export function allowFiles(form, state) {
  const open = ["accepted", "live", "paused"].includes(state);
  form.dataset.closed = String(!open);
  form.elements.file.disabled = !open;
}
