// The favourite toggle of a client, on profiles and cards (PUT/DELETE /favourites/{id}).
import { api } from "/static/js/api.js";
import { account, t } from "/static/js/page.js";
import { toast } from "/static/js/toast.js";

let known = null;

// The ids of the client's favourite experts; null for anyone who cannot have favourites.
export function favouriteIds() {
  if (account?.role !== "client") return Promise.resolve(null);
  known ||= api("/api/v1/favourites")
    .then((data) => new Set((data?.experts || []).map((e) => e.id)))
    .catch(() => new Set());
  return known;
}

function paint(button, on, name) {
  button.dataset.favourite = String(on);
  button.textContent = t(on ? "favourite.remove" : "favourite.add");
  button.setAttribute("aria-label", t(on ? "favourite.remove_named" : "favourite.add_named", { name }));
}

export function favouriteButton(expert, on) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button-secondary favourite";
  button.dataset.action = "favourite";
  paint(button, on, expert.display_name);
  button.addEventListener("click", async () => {
    const wanted = button.dataset.favourite !== "true";
    button.disabled = true;
    try {
      await api(`/api/v1/favourites/${encodeURIComponent(expert.id)}`, { method: wanted ? "PUT" : "DELETE" });
      paint(button, wanted, expert.display_name);
      const ids = await favouriteIds();
      if (ids) ids[wanted ? "add" : "delete"](expert.id);
    } catch {
      toast(t("favourite.failed"));
    } finally {
      button.disabled = false;
      button.focus();
    }
  });
  return button;
}

// Puts a toggle in each `[data-hook=favourite]` of `root` whose card names an expert.
export async function fillFavourites(root, experts) {
  const ids = await favouriteIds();
  if (!ids) return;
  for (const expert of experts) {
    const hook = root.querySelector(`[data-expert-id="${CSS.escape(expert.id)}"] [data-hook=favourite]`);
    if (hook) hook.replaceChildren(favouriteButton(expert, ids.has(expert.id)));
  }
}
