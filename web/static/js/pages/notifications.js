// In-app notifications, newest first; new ones arrive live (live.js) and join the list.
// What this page shows is read: unread ones are marked "New" once, then the mark moves.
import { api } from "/static/js/api.js";
import { noticeLink, noticeOpen, noticeText, setUnread } from "/static/js/notices.js";
import { formatDateTime, t } from "/static/js/page.js";

const list = document.getElementById("notice-list");

function item(notice) {
  const li = document.createElement("li");
  li.className = "notice card";
  li.dataset.kind = notice.kind || "";
  const when = document.createElement("time");
  when.className = "muted";
  when.dateTime = notice.at || "";
  when.textContent = formatDateTime(notice.at);
  const text = document.createElement("p");
  text.textContent = noticeText(notice);
  const link = document.createElement("a");
  link.href = noticeLink(notice);
  link.textContent = noticeOpen(notice);
  if (!notice.read) {
    li.classList.add("unread");
    const fresh = document.createElement("strong");
    fresh.textContent = `${t("notifications.new")} `;
    li.append(fresh);
  }
  li.append(when, text, link);
  return li;
}

// Everything up to this notification has now been seen here.
async function markRead(newest) {
  if (!newest?.at) return;
  try {
    const { unread } = await api("/api/v1/notifications/read", { method: "POST", body: { until: newest.at } });
    setUnread(unread);
  } catch {
    // still unread on the server: the badge will say so on the next page
  }
}

function empty() {
  const li = document.createElement("li");
  li.className = "muted";
  li.dataset.role = "empty";
  li.textContent = t("notifications.none");
  return li;
}

async function load() {
  try {
    const notices = (await api("/api/v1/notifications"))?.notifications || [];
    list.replaceChildren(...(notices.length ? notices.map(item) : [empty()]));
    await markRead(notices[0]);
  } catch {
    list.replaceChildren(Object.assign(document.createElement("li"), { textContent: t("notifications.load_failed") }));
  } finally {
    list.setAttribute("aria-busy", "false");
  }
}

document.addEventListener("helpcall:notification", ({ detail }) => {
  list.querySelector("[data-role=empty]")?.remove();
  list.prepend(item({ ...detail, read: false }));
  markRead(detail);
});

load();
