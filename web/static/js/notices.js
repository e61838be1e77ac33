// The words of an in-app notification (appointments: created, cancelled, reminders...;
// a call's dispute: opened, answered, decided).
import { formatAmount } from "/static/js/money.js";
import { formatDateTime, t } from "/static/js/page.js";

const KINDS = ["created", "cancelled", "reschedule_proposed", "reschedule_declined", "rescheduled", "reminder", "no_show"];

const DISPUTE_NEWS = ["opened", "answered", "decided"];

function disputeNews(notice) {
  const news = String(notice.kind || "").replace(/^dispute\./, "");
  return DISPUTE_NEWS.includes(news) ? news : null;
}

export function noticeText(notice) {
  const news = disputeNews(notice);
  if (news) {
    const outcome = notice.outcome || "none";
    return t(`notice.dispute_${news}`, { outcome: t(`notice.dispute_outcome.${outcome}`), amount: formatAmount(notice.refund_cents || 0) });
  }
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
  if (disputeNews(notice) && notice.session_id) return `/sessions/${encodeURIComponent(notice.session_id)}/receipt#dispute`;
  return notice.booking_id ? `/appointments/${encodeURIComponent(notice.booking_id)}` : "/appointments";
}

export function noticeOpen(notice) {
  return disputeNews(notice) ? t("notice.open_dispute") : t("notice.open");
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
