// Expert cards, shared by the home page and the expert list.
import { api } from "/static/js/api.js";
import { fillFavourites } from "/static/js/favourites.js";
import { formatPrice } from "/static/js/money.js";
import { lang, t } from "/static/js/page.js";

export function statusText(status) {
  return t(`status.${["online", "busy", "offline"].includes(status) ? status : "unknown"}`);
}

export function ratingText(expert) {
  if (expert.rating === null || expert.rating === undefined) return t("expert.no_reviews");
  const count = expert.reviews ?? 0;
  const rating = Number(expert.rating).toLocaleString(lang === "fr" ? "fr-FR" : "en-GB", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return t(count === 1 ? "expert.rating_one" : "expert.rating", { rating, count });
}

function initials(name) {
  return (name || "?").split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join("");
}

// The photo when the marketplace provides one, else the initials.
export function fillAvatar(element, expert) {
  element.replaceChildren();
  if (expert.photo_url) {
    const img = document.createElement("img");
    img.src = expert.photo_url;
    img.alt = "";
    element.append(img);
  } else {
    element.textContent = initials(expert.display_name);
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function setCardStatus(card, status) {
  const badge = card.querySelector(".status");
  badge.dataset.status = status || "unknown";
  badge.textContent = statusText(status);
}

export function expertCard(expert) {
  const card = element("li", "card expert-card");
  card.dataset.expertId = expert.id;
  const avatar = element("div", "avatar");
  avatar.setAttribute("aria-hidden", "true");
  fillAvatar(avatar, expert);
  const body = element("div", "expert-card-body");
  const name = element("h3");
  const link = element("a", null, expert.display_name);
  link.href = `/experts/${encodeURIComponent(expert.id)}`;
  name.append(link);
  const status = element("span", "status", statusText(expert.status));
  status.dataset.status = expert.status || "unknown";
  body.append(
    name,
    element("p", "headline", expert.headline || ""),
    element("p", "status-line"),
    element("p", "rating", ratingText(expert)),
  );
  body.querySelector(".status-line").append(status, " ", element("span", "price", formatPrice(expert.pricing)));
  const hook = element("div", "card-hook");
  hook.dataset.hook = "favourite";
  card.append(avatar, body, hook);
  return card;
}

// Fills `container` from GET /api/v1/experts?<query>.
export async function loadExperts(container) {
  const query = container.dataset.query || "";
  try {
    const data = await api(`/api/v1/experts${query ? `?${query}` : ""}`);
    const experts = data?.experts || [];
    if (!experts.length) {
      container.replaceChildren(element("p", "muted", t("experts.none")));
    } else {
      const list = element("ul", "expert-list");
      list.append(...experts.map(expertCard));
      container.replaceChildren(list);
      await fillFavourites(list, experts);
    }
  } catch {
    container.replaceChildren(element("p", "alert alert-error", t("experts.load_failed")));
  } finally {
    container.setAttribute("aria-busy", "false");
  }
}
