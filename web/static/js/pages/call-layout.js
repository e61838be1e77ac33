// The call on a phone: the video takes the width, the controls sit at the bottom within
// the thumb's reach, and the chat opens over the video (a `Chat` button, with a count of
// the messages that came while it was closed). Wider screens show the chat beside the video.
const root = document.getElementById("call");
const toggle = root.querySelector("[data-action=chat]");
const close = root.querySelector("[data-action=chat-close]");
const unread = root.querySelector("[data-role=chat-unread]");
const log = root.querySelector("[data-role=chat-log]");
const input = root.querySelector("#chat-text");
const phone = window.matchMedia("(max-width: 48rem)");
let missed = 0;

const isOpen = () => !phone.matches || root.dataset.chat === "open";

function setChat(open) {
  root.dataset.chat = open ? "open" : "closed";
  toggle.setAttribute("aria-expanded", String(open));
  if (open) {
    missed = 0;
    unread.hidden = true;
    input?.focus();
  }
}

toggle.addEventListener("click", () => setChat(root.dataset.chat !== "open"));
close.addEventListener("click", () => {
  setChat(false);
  toggle.focus();
});
root.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && phone.matches && root.dataset.chat === "open") {
    setChat(false);
    toggle.focus();
  }
});

// Messages that arrive while the chat is closed are counted on the button.
new MutationObserver((changes) => {
  if (isOpen()) return;
  missed += changes.reduce((sum, change) => sum + change.addedNodes.length, 0);
  unread.textContent = String(missed);
  unread.hidden = missed === 0;
}).observe(log, { childList: true });

setChat(false);
