// Movie page: rate this movie; the rating joins the visitor's ratings on the For you page.
import { loadRatings, saveRatings, setRating } from "./ratings.js";
import { showError, siteConfig } from "./page.js";

const config = siteConfig();
const form = document.getElementById("rate-this");
const select = document.getElementById("my-rating");
const status = document.getElementById("rate-status");
const movieId = Number(document.querySelector("article.movie").dataset.movieId);

const stored = loadRatings(config.root, config.ratingScale);
if (stored.notes.length) showError(stored.notes.join(" "));
select.value = String(stored.ratings.get(movieId) ?? "");
form.hidden = false;
select.addEventListener("change", () => {
  const { ratings, older } = loadRatings(config.root, config.ratingScale);
  if (select.value) setRating(ratings, movieId, Number(select.value));
  else ratings.delete(movieId);
  saveRatings(config.root, ratings, older.filter(([id]) => id !== movieId));
  status.textContent = select.value ? "Saved: it counts on the For you page." : "Removed.";
});
