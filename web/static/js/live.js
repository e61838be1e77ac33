// On every page of a signed-in person: appointment notifications and callbacks, as toasts.
import { account, t } from "/static/js/page.js";
import { callNow } from "/static/js/pages/starting.js";
import { noticeLink, noticeText } from "/static/js/notices.js";
import { pageSocket } from "/static/js/socket.js";
import { toast } from "/static/js/toast.js";

const socket = pageSocket();

socket.on("notification", (notice) => {
  toast(noticeText(notice), {
    kind: "notification",
    actions: [{ label: t("notice.open"), href: noticeLink(notice) }],
  });
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
          const topic = offer.topic || t("call.default_topic");
          const error = await callNow({ expert_id: offer.expert.id }, topic, location.pathname);
          if (error) box.querySelector("p").textContent = t("call.start_failed", { message: error.message });
        },
      },
    ],
  });
  item.dataset.expertId = offer.expert?.id || "";
});
