// Movie page: rate this movie with stars (stars.js); the rating joins the visitor's ratings on
// the For you page. Meanwhile, For you's recommender is kept warm (warm.js): "Recommend movies
// like this" then answers without waiting for Python.
import { loadRatings, saveRatings, setRating } from "./ratings.js";
import { showError, siteConfig } from "./page.js";
import { parseChoices, starControl } from "./stars.js";
import { keepWarm } from "./warm.js";

const config = siteConfig();
const form = document.getElementById("rate-this");
const status = document.getElementById("rate-status");
const clear = document.getElementById("clear-rating");
const article = document.querySelector("article.movie");
const movieId = Number(article.dataset.movieId);
const title = article.querySelector("h1").textContent;

const stored = loadRatings(config.root, config.ratingScale);
if (stored.notes.length) showError(stored.notes.join(" "));

/** Store ``value`` (null: remove the rating), re-reading the ratings: another tab may have
 * changed them. */
function store(value) {
  const { ratings, older } = loadRatings(config.root, config.ratingScale);
  if (value !== null) setRating(ratings, movieId, value);
  else ratings.delete(movieId);
  saveRatings(config.root, ratings, older.filter(([id]) => id !== movieId));
  status.textContent = value !== null ? "Saved: it counts on the For you page." : "Removed.";
  clear.hidden = value === null;
}

const stars = starControl({
  choices: parseChoices(document.body.dataset.ratingChoices),
  value: stored.ratings.get(movieId) ?? null,
  label: `Your rating of ${title}`,
  onChange: store,
});
document.getElementById("my-rating").replaceWith(Object.assign(stars, { id: "my-rating" }));
clear.hidden = !stored.ratings.has(movieId);
clear.addEventListener("click", () => {
  store(null);
  stars.setValue(null);
  stars.focusStars();
});
form.hidden = false;

keepWarm(config).catch((error) => console.warn(`For you is not kept warm: ${error.message}`));
