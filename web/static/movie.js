// Movie page: rate this movie; the rating joins the visitor's ratings on the For you page.
import { loadRatings, saveRatings } from "./ratings.js";
import { siteConfig } from "./page.js";

const config = siteConfig();
const form = document.getElementById("rate-this");
const select = document.getElementById("my-rating");
const status = document.getElementById("rate-status");
const movieId = document.querySelector("article.movie").dataset.movieId;

select.value = String(loadRatings(config.root)[movieId] ?? "");
form.hidden = false;
select.addEventListener("change", () => {
  const ratings = loadRatings(config.root);
  if (select.value) ratings[movieId] = Number(select.value);
  else delete ratings[movieId];
  saveRatings(config.root, ratings);
  status.textContent = select.value ? "Saved: it counts on the For you page." : "Removed.";
});
