// Names of the other side of a session, fetched once per expert and page.
import { api } from "/static/js/api.js";
import { account, t } from "/static/js/page.js";

const names = new Map();

// The other participant's name: the session may carry it; an expert's comes from the API.
export async function otherName(session) {
  const isClient = account?.id === session.client_id;
  const other = isClient ? session.expert : session.client;
  if (other?.display_name) return other.display_name;
  if (!isClient) return t("sessions.a_client");
  if (!names.has(session.expert_id)) {
    names.set(
      session.expert_id,
      api(`/api/v1/experts/${encodeURIComponent(session.expert_id)}`)
        .then((expert) => expert.display_name)
        .catch(() => t("sessions.an_expert")),
    );
  }
  return names.get(session.expert_id);
}
