// Movie page: rate this movie; the rating joins the visitor's ratings on the For you page.
import { loadRatings, saveRatings, setRating } from "./ratings.js";
import { siteConfig } from "./page.js";

const config = siteConfig();
const form = document.getElementById("rate-this");
const select = document.getElementById("my-rating");
const status = document.getElementById("rate-status");
const movieId = Number(document.querySelector("article.movie").dataset.movieId);

select.value = String(loadRatings(config.root).get(movieId) ?? "");
form.hidden = false;
select.addEventListener("change", () => {
  const ratings = loadRatings(config.root);
  if (select.value) setRating(ratings, movieId, Number(select.value));
  else ratings.delete(movieId);
  saveRatings(config.root, ratings);
  status.textContent = select.value ? "Saved: it counts on the For you page." : "Removed.";
});
