// On every page of a signed-in person: appointment notifications and callbacks, as toasts.
import { account, t } from "/static/js/page.js";
import { callNow } from "/static/js/pages/starting.js";
import { addUnread, noticeLink, noticeOpen, noticeText } from "/static/js/notices.js";
import { ask, pageSocket } from "/static/js/socket.js";
import { toast } from "/static/js/toast.js";

const socket = pageSocket();

socket.on("notification", (notice) => {
  toast(noticeText(notice), {
    kind: "notification",
    actions: [{ label: noticeOpen(notice), href: noticeLink(notice) }],
  });
  addUnread();
  document.dispatchEvent(new CustomEvent("helpcall:notification", { detail: notice }));
});

// An expert took this client's callback request: one click calls them.
socket.on("callback", (offer) => {
  if (account?.role !== "client") return;
  const name = offer.expert?.display_name || t("call.them");
  const item = toast(t("callback.taken", { name }), {
    kind: "callback",
    actions: [
      {
        label: t("callback.call_now", { name }),
        onClick: async (box) => {
          const topic = offer.topic || "";
          const error = await callNow({ expert_id: offer.expert.id }, topic, location.pathname);
          if (error) box.querySelector("p").textContent = t("call.start_failed", { message: error.message });
        },
      },
    ],
  });
  item.dataset.expertId = offer.expert?.id || "";
});

// An expert opened a booked call first: the client is rung here, on whatever page.
socket.on("call:incoming", (incoming) => {
  if (account?.role !== "client" || !incoming.booking_id) return;
  const name = incoming.expert?.display_name || t("call.them");
  toast(t("booking.calling", { name }), {
    kind: "booking-call",
    actions: [{
      label: t("booking.answer"),
      onClick: async (box) => {
        try {
          await ask(socket, "call:accept", { session_id: incoming.session_id });
          location.assign(`/call/${encodeURIComponent(incoming.session_id)}`);
        } catch (error) {
          box.querySelector("p").textContent = t("call.start_failed", { message: error.message });
        }
      },
    }],
  });
});

// An expert: presence kept across pages and tabs, the status in the header, and the
// incoming call that rings on whatever page they are.
if (account?.role === "expert") {
  const [{ onPresence }] = await Promise.all([
    import("/static/js/presence.js"),
    import("/static/js/incoming.js"),
  ]);
  const pill = document.querySelector("[data-role=presence-pill]");
  onPresence(({ status, reason }) => {
    if (reason === "no_answer") toast(t("presence.away"));
    if (!pill) return;
    pill.dataset.status = status;
    pill.querySelector("[data-role=presence-label]").textContent = t(`presence.${status}`);
  });
}
