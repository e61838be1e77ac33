// The console's open callback requests: from the presence ack, then GET /callbacks while
// online (nothing announces new ones live); `Take` tells the client who will help.
import { api } from "/static/js/api.js";
import { formatDateTime, readData, show, t } from "/static/js/page.js";

const REFRESH_MS = 5000;
const box = document.querySelector("[data-hook=queue]");
const list = box.querySelector("[data-role=callbacks]");
const empty = box.querySelector("[data-role=queue-empty]");
const status = box.querySelector("[data-role=callback-status]");
const categoryNames = readData("category-names") || {};
let timer = null;

function item(request) {
  const li = document.createElement("li");
  li.className = "callback";
  li.dataset.requestId = request.id;
  const what = document.createElement("p");
  const category = categoryNames[request.category] || request.category;
  what.textContent = request.topic ? `${category} · ${request.topic}` : category;
  const when = document.createElement("p");
  when.className = "muted";
  when.textContent = t("callback.since", { when: formatDateTime(request.created_at) });
  const take = document.createElement("button");
  take.type = "button";
  take.dataset.action = "take";
  take.textContent = t("callback.take");
  take.setAttribute("aria-label", t("callback.take_named", { what: what.textContent }));
  take.addEventListener("click", () => takeRequest(request, li, take));
  li.append(what, when, take);
  return li;
}

async function takeRequest(request, li, button) {
  button.disabled = true;
  try {
    const taken = await api(`/api/v1/callbacks/${encodeURIComponent(request.id)}/take`, { method: "POST" });
    status.textContent = t("callback.taken_by_you", { name: taken.client?.display_name || t("call.them") });
  } catch (error) {
    status.textContent = error.status === 409 ? t("callback.gone") : t("callback.take_failed", { message: error.message });
  }
  li.remove();
  show(empty, !list.children.length);
}

export function showCallbacks(requests) {
  list.replaceChildren(...(requests || []).map(item));
  show(empty, !list.children.length);
  show(box);
}

async function refresh() {
  if (document.hidden) return;
  try {
    showCallbacks((await api("/api/v1/callbacks"))?.callbacks);
  } catch {
    // the next refresh tries again
  }
}

// Called with the presence: the list shows and refreshes while the expert is online.
export function followCallbacks(online, requests) {
  clearInterval(timer);
  if (!online) {
    show(box, false);
    return;
  }
  if (requests) showCallbacks(requests);
  else refresh();
  timer = setInterval(refresh, REFRESH_MS);
}
