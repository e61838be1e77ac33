// "My experts": the client's favourites, with their status kept live.
import { api } from "/static/js/api.js";
import { expertCard, setCardStatus } from "/static/js/experts.js";
import { favouriteButton } from "/static/js/favourites.js";
import { t } from "/static/js/page.js";

const STATUS_EVERY_MS = 5000;
const container = document.getElementById("favourite-list");

function message(text, className = "muted") {
  const p = document.createElement("p");
  p.className = className;
  p.textContent = text;
  container.replaceChildren(p);
}

async function favourites() {
  return (await api("/api/v1/favourites"))?.experts || [];
}

async function load() {
  try {
    const experts = await favourites();
    if (!experts.length) {
      const p = document.createElement("p");
      p.className = "muted";
      const link = document.createElement("a");
      link.href = "/experts";
      link.textContent = t("favourites.find");
      p.append(t("favourites.none"), " ", link);
      container.replaceChildren(p);
      return;
    }
    const list = document.createElement("ul");
    list.className = "expert-list";
    for (const expert of experts) {
      const card = expertCard(expert);
      card.querySelector("[data-hook=favourite]").append(favouriteButton(expert, true));
      list.append(card);
    }
    container.replaceChildren(list);
  } catch {
    message(t("favourites.load_failed"), "alert alert-error");
  } finally {
    container.setAttribute("aria-busy", "false");
  }
}

async function refreshStatus() {
  if (document.hidden) return;
  try {
    for (const expert of await favourites()) {
      const card = container.querySelector(`[data-expert-id="${CSS.escape(expert.id)}"]`);
      if (card) setCardStatus(card, expert.status);
    }
  } catch {
    // keep the last known statuses; the next poll tries again
  }
}

load();
setInterval(refreshStatus, STATUS_EVERY_MS);
