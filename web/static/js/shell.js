// On every page: the header's menu folds on phones, and the app registers its service
// worker so that it can be installed (it caches the shell only: see /sw.js).
const header = document.querySelector(".site-header");
const toggle = header?.querySelector("[data-role=menu-toggle]");
const phone = window.matchMedia("(max-width: 48rem)");

function fold(closed) {
  header.dataset.menu = closed ? "closed" : "open";
  toggle.setAttribute("aria-expanded", String(!closed));
}

if (toggle) {
  fold(phone.matches);
  phone.addEventListener("change", () => fold(phone.matches));
  toggle.addEventListener("click", () => fold(header.dataset.menu !== "closed"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && phone.matches && header.dataset.menu === "open") {
      fold(true);
      toggle.focus();
    }
  });
}

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}
