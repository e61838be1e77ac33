// The words of an in-app notification (appointments: created, cancelled, reminders...).
import { formatDateTime, t } from "/static/js/page.js";

const KINDS = ["created", "cancelled", "reschedule_proposed", "reschedule_declined", "rescheduled", "reminder", "no_show"];

export function noticeText(notice) {
  const kind = String(notice.kind || "").replace(/^booking\./, "");
  const params = {
    when: formatDateTime(notice.starts_at),
    topic: notice.topic || "",
    name: notice.client_name || "",
    minutes: notice.minutes_before ?? "",
    proposed: formatDateTime(notice.proposed_start),
  };
  return KINDS.includes(kind) ? t(`notice.${kind}`, params) : t("notice.other", params);
}

export function noticeLink(notice) {
  return notice.booking_id ? `/appointments/${encodeURIComponent(notice.booking_id)}` : "/appointments";
}

// The unread count beside "Notifications" in the navigation (rendered by the server).
export function setUnread(count) {
  const badge = document.querySelector("[data-role=unread]");
  if (!badge) return;
  badge.querySelector("[data-role=unread-count]").textContent = String(count);
  badge.hidden = count <= 0;
}

export function addUnread() {
  const shown = Number(document.querySelector("[data-role=unread-count]")?.textContent || 0);
  setUnread(shown + 1);
}
