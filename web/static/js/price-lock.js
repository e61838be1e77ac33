// The price the client agreed to (protocol §7.2). Pages send the price they showed
// (`expected_pricing`); when the expert changed it meanwhile, the server answers
// `price_changed` with the current price, nothing is held and nobody is rung. This shows
// the new price beside the old one and lets the person confirm it.
import { formatPrice } from "/static/js/money.js";
import { t } from "/static/js/page.js";

// The box for the prompt, made once, right after `anchor` (an error line of the form).
export function promptBox(anchor) {
  let box = anchor.parentElement.querySelector("[data-role=price-changed]");
  if (!box) {
    box = document.createElement("div");
    box.className = "alert";
    box.dataset.role = "price-changed";
    box.setAttribute("role", "alert");
    box.hidden = true;
    anchor.after(box);
  }
  return box;
}

// Shows "the price is now ..." with a button that calls `onConfirm(current)`; `action`
// names what the button does at that price ("confirm": call, "book": book).
export function askToConfirm(box, shown, current, onConfirm, action = "confirm") {
  const text = document.createElement("p");
  text.textContent = t("price_changed.text", { was: formatPrice(shown), now: formatPrice(current) });
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.action = "confirm-price";
  button.textContent = t(`price_changed.${action}`, { price: formatPrice(current) });
  button.addEventListener("click", () => {
    box.hidden = true;
    onConfirm(current);
  });
  box.replaceChildren(text, button);
  box.hidden = false;
  button.focus();
}
