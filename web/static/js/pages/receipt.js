// The receipt page: its Print button (no inline script may run).
for (const button of document.querySelectorAll("[data-action=print]")) {
  button.addEventListener("click", () => window.print());
}
