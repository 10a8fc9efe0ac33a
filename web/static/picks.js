// One pick on For you: its title (a link to its page), a short reason ("Because you liked
// Heat"), the full chain of reasons on demand, and what people do with a pick on every
// recommender site: save it to the watchlist, say they have seen it (and rate it in place),
// or hide it ("not interested"). Titles and reasons are only ever text.
import { movieUrl } from "./page.js";
import { starControl } from "./stars.js";
import { titleParts } from "./titles.js";

const SVG = "http://www.w3.org/2000/svg";
// the same paths draw the build's first list (for_you.html's pick_button)
const ICONS = {
  save: "M6 3h12v18l-6-4.5L6 21z",
  seen: "M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12zm10 3.2a3.2 3.2 0 1 0 0-6.4 3.2 3.2 0 0 0 0 6.4z",
  hide: "M5 5l14 14M19 5L5 19",
};

/** The short reason of an answer's item: the scoring core's ``reason``, or before it gave
 * one, the first of its reasons. */
export const shortReason = (item) => item.reason || item.why?.[0] || "";

function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", `icon icon-${name}`);
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

const text = (tag, className, content) => Object.assign(document.createElement(tag), { className, textContent: content });

/** A button with an icon, a visible word, and the movie's title for screen readers. */
function actionButton(action, word, title) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "pick-action";
  button.dataset.action = action;
  button.append(icon(action), text("span", "word", word), text("span", "visually-hidden", `: ${title}`));
  if (action === "hide") button.title = "Not interested: hide it from your picks";
  return button;
}

/** The title as a link: the name as people say it, the year beside it. */
export function titleLink(config, movieId, title) {
  const { name, year } = titleParts(title);
  const link = document.createElement("a");
  link.className = "pick-title";
  link.href = movieUrl(config.root, movieId);
  link.append(name);
  if (year !== null) link.append(" ", text("span", "year", `(${year})`));
  return link;
}

/**
 * A pick, as an <li data-movie-id>. ``ctx``: {config, choices (the ratings, ascending),
 * saved(movieId) (on the watchlist?), actions: {hide, save, rate}}.
 */
export function pickItem(item, ctx) {
  const { config, actions } = ctx;
  const li = document.createElement("li");
  li.className = "pick";
  li.dataset.movieId = String(item.movie_id);
  const { name } = titleParts(item.title);
  const body = document.createElement("div");
  body.className = "pick-body";
  const reason = text("p", "pick-reason", capitalised(shortReason(item)));
  const facts = [item.genres?.length ? item.genres.slice(0, 3).join(", ") : ""].filter(Boolean);
  if (facts.length) reason.append(text("span", "pick-facts", ` · ${facts.join(" · ")}`));
  body.append(titleLink(config, item.movie_id, item.title), reason);
  const why = text("p", "pick-why", (item.why ?? []).join(" · "));
  why.id = `why-${item.movie_id}`;
  why.hidden = true;

  const row = document.createElement("div");
  row.className = "pick-actions";
  const save = actionButton("save", "Save", name);
  const paintSave = () => {
    const on = ctx.saved(item.movie_id);
    save.setAttribute("aria-pressed", String(on));
    save.querySelector(".word").textContent = on ? "Saved" : "Save";
  };
  paintSave();
  save.addEventListener("click", () => {
    actions.save(item.movie_id, item.title);
    paintSave();
  });
  const seen = actionButton("seen", "Seen it", name);
  seen.addEventListener("click", () => rateInPlace(li, row, item, ctx));
  const hide = actionButton("hide", "Hide", name);
  hide.addEventListener("click", () => {
    li.classList.add("leaving");
    actions.hide(item.movie_id, item.title);
  });
  const more = document.createElement("button");
  more.type = "button";
  more.className = "pick-action why-toggle";
  more.setAttribute("aria-expanded", "false");
  more.setAttribute("aria-controls", why.id);
  more.append(text("span", "word", "Why?"), text("span", "visually-hidden", ` ${name}`));
  more.hidden = !(item.why ?? []).length;
  more.addEventListener("click", () => {
    why.hidden = !why.hidden;
    more.setAttribute("aria-expanded", String(!why.hidden));
  });
  row.append(save, seen, hide, more);
  li.append(body, row, why);
  return li;
}

/** "Seen it": the pick's actions make way for a star control, empty; a choice rates it. */
function rateInPlace(li, row, item, ctx) {
  const { name } = titleParts(item.title);
  const place = document.createElement("div");
  place.className = "pick-rate";
  const stars = starControl({
    choices: ctx.choices,
    label: `Your rating of ${name}`,
    onChange: (value) => ctx.actions.rate(item.movie_id, value, item.title),
  });
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "btn quiet small";
  cancel.textContent = "Cancel";
  cancel.addEventListener("click", () => {
    place.replaceWith(row);
    row.querySelector('[data-action="seen"]').focus();
  });
  place.append(text("span", "pick-rate-label", "Your rating"), stars, cancel);
  row.replaceWith(place);
  li.classList.add("rating");
  stars.focusStars();
}

function capitalised(words) {
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A pick of a list beside the top 10: its title and why it is there, no controls. */
export function plainItem(config, item, reason) {
  const li = document.createElement("li");
  li.dataset.movieId = String(item.movie_id);
  li.append(titleLink(config, item.movie_id, item.title), " ", text("span", "why", reason));
  return li;
}
