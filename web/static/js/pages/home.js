// Home: experts online now, and "Call now" for a category.
import { loadExperts } from "/static/js/experts.js";
import { show, t } from "/static/js/page.js";
import { callNow } from "/static/js/pages/starting.js";

loadExperts(document.getElementById("expert-list"));

const errorBox = document.getElementById("call-category-error");
for (const button of document.querySelectorAll("[data-call-category]")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    show(errorBox, false);
    const error = await callNow({ category: button.dataset.callCategory }, button.dataset.topic, "/");
    button.disabled = false;
    if (error) {
      errorBox.textContent = t("call.start_failed", { message: error.message });
      show(errorBox);
    }
  });
}
