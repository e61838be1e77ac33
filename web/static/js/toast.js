// Short messages in the corner that do not take the focus; each can carry actions.
import { t } from "/static/js/page.js";

const SHOWN_MS = 20000;

function region() {
  let box = document.querySelector("[data-role=toasts]");
  if (!box) {
    box = document.createElement("div");
    box.className = "toasts";
    box.dataset.role = "toasts";
    box.setAttribute("aria-live", "polite");
    document.body.append(box);
  }
  return box;
}

// `actions`: [{label, href}] or [{label, onClick}]. Toasts with actions stay until closed.
export function toast(text, { actions = [], kind = "" } = {}) {
  const item = document.createElement("div");
  item.className = "toast";
  if (kind) item.dataset.kind = kind;
  const message = document.createElement("p");
  message.textContent = text;
  const buttons = document.createElement("div");
  buttons.className = "actions";
  for (const action of actions) {
    let control;
    if (action.href) {
      control = document.createElement("a");
      control.href = action.href;
      control.className = "button";
    } else {
      control = document.createElement("button");
      control.type = "button";
      control.addEventListener("click", () => action.onClick(item));
    }
    control.textContent = action.label;
    buttons.append(control);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "button-secondary";
  close.textContent = t("toast.close");
  close.addEventListener("click", () => item.remove());
  buttons.append(close);
  item.append(message, buttons);
  region().append(item);
  if (!actions.length) setTimeout(() => item.remove(), SHOWN_MS);
  return item;
}
