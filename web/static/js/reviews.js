// Reviews: the list on a profile (with the expert's reply form) and the form after a call.
import { api } from "/static/js/api.js";
import { formatDateTime, show, t } from "/static/js/page.js";

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

export function stars(rating) {
  const shown = node("span", "stars");
  const picture = node("span", null, "★".repeat(rating) + "☆".repeat(5 - rating));
  picture.setAttribute("aria-hidden", "true");
  shown.append(picture, node("span", "visually-hidden", t("review.stars", { rating })));
  return shown;
}

function replyForm(review, item) {
  const form = node("form", "form reply-form");
  const id = `reply-${review.id}`;
  const label = node("label", null, t("review.reply_label"));
  label.htmlFor = id;
  const text = node("textarea");
  text.id = id;
  text.name = "text";
  text.required = true;
  text.maxLength = 2000;
  const error = node("p", "alert alert-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  const submit = node("button", null, t("review.reply_send"));
  submit.type = "submit";
  form.append(node("div", "field"), error, submit);
  form.firstChild.append(label, text);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const answered = await api(`/api/v1/reviews/${encodeURIComponent(review.id)}/reply`, {
        method: "POST",
        body: { text: text.value.trim() },
      });
      item.replaceWith(reviewItem(answered, false));
    } catch (failure) {
      error.textContent = t("review.reply_failed", { message: failure.message });
      show(error);
      submit.disabled = false;
    }
  });
  return form;
}

function reviewItem(review, canReply) {
  const item = node("li", "review card");
  item.dataset.reviewId = review.id;
  item.dataset.rating = String(review.rating);
  const head = node("p", "review-head");
  const when = node("time", "muted", formatDateTime(review.created_at));
  when.dateTime = review.created_at || "";
  head.append(stars(review.rating), " ", node("strong", null, review.client?.display_name || ""), " ", when);
  item.append(head);
  if (review.text) item.append(node("p", "review-text", review.text));
  if (review.reply) {
    const reply = node("div", "review-reply");
    reply.append(node("p", "review-reply-head", t("review.reply_from_expert")), node("p", "review-text", review.reply.text));
    item.append(reply);
  } else if (canReply) {
    item.append(replyForm(review, item));
  }
  return item;
}

// Fills `container` with the expert's visible reviews, newest first.
export async function loadReviews(container, expertId, { canReply = false } = {}) {
  try {
    const data = await api(`/api/v1/experts/${encodeURIComponent(expertId)}/reviews?per_page=20`);
    const reviews = data?.reviews || [];
    if (!reviews.length) {
      container.replaceChildren(node("p", "muted", t("expert.no_reviews")));
      return;
    }
    const list = node("ol", "reviews");
    list.append(...reviews.map((review) => reviewItem(review, canReply)));
    container.replaceChildren(list);
  } catch {
    container.replaceChildren(node("p", "muted", t("review.load_failed")));
  }
}

// The client's form for a call that went live: a rating from 1 to 5 and optional words.
export function reviewForm(sessionId) {
  const box = node("section", "review-box");
  box.setAttribute("aria-labelledby", "review-heading");
  const heading = node("h3", null, t("review.heading"));
  heading.id = "review-heading";
  const form = node("form", "form");
  form.dataset.role = "review-form";
  const fieldset = node("fieldset", "rating-choice");
  fieldset.append(node("legend", null, t("review.rating")));
  for (let rating = 5; rating >= 1; rating -= 1) {
    const choice = node("div");
    const input = node("input");
    input.type = "radio";
    input.name = "rating";
    input.value = String(rating);
    input.id = `rating-${rating}`;
    input.required = true;
    const label = node("label", null, t(rating === 1 ? "review.star_one" : "review.star_many", { rating }));
    label.htmlFor = input.id;
    choice.append(input, label);
    fieldset.append(choice);
  }
  const field = node("div", "field");
  const label = node("label", null, t("review.text"));
  label.htmlFor = "review-text";
  const text = node("textarea");
  text.id = "review-text";
  text.name = "text";
  text.maxLength = 2000;
  field.append(label, text);
  const error = node("p", "alert alert-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  const submit = node("button", null, t("review.send"));
  submit.type = "submit";
  form.append(fieldset, field, error, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const rating = Number(form.elements.rating.value);
    if (!rating) return;
    submit.disabled = true;
    show(error, false);
    try {
      await api(`/api/v1/sessions/${encodeURIComponent(sessionId)}/review`, {
        method: "POST",
        body: { rating, text: text.value.trim() },
      });
      done(t("review.thanks"));
    } catch (failure) {
      if (failure.status === 409) {
        done(t("review.already"));
        return;
      }
      error.textContent = t("review.failed", { message: failure.message });
      show(error);
      submit.disabled = false;
    }
  });
  const done = (message) => {
    const note = node("p", "banner banner-info", message);
    note.dataset.role = "review-done";
    note.setAttribute("role", "status");
    form.replaceWith(note);
  };
  box.append(heading, form);
  return box;
}
