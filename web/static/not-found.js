// The 404 page: at a movie's address (movie/<id>/) whose movie has no page of its own (the
// build writes pages for the most-rated movies only), show that movie from movie-data/, in the
// same parts as a movie page. Anywhere else, or for an unknown id, the page stays "not found".
import { SiteError } from "./errors.js";
import { showError, siteConfig } from "./page.js";

const script = document.querySelector("script[data-movie-data]");
const address = location.pathname.match(/^(.*\/)movie\/(\d+)\/?$/);
if (address) {
  // the site's root from the address itself: right at any depth, with or without --base-url
  const [, root, id] = address;
  showMovie(root, Number(id)).catch((error) => showError(error instanceof SiteError
    ? error.message : `This ${siteConfig().noun} could not be shown: ${error.message}`));
}

async function showMovie(root, movieId) {
  const file = `${root}${script.dataset.movieData}${Math.floor(movieId / Number(script.dataset.block))}.json`;
  const response = await fetch(file);
  if (response.status === 404) return;
  if (!response.ok) throw new SiteError(`${file} could not be loaded (HTTP ${response.status}).`);
  const entry = (await response.json())[String(movieId)];
  if (!entry) return;
  document.getElementById("not-found").replaceWith(movieArticle(entry, root));
  const siteTitle = document.title.split(" · ").pop();
  document.title = `${entry.movie.title} · ${siteTitle}`;
  await import("./movie.js"); // the rating form, as on every movie page
}

/** A list of linked movies, each with a note (``note(other)``), as movie.html's movie_list. */
function fillList(list, movies, root, note) {
  for (const other of movies) {
    const item = document.createElement("li");
    item.dataset.movieId = String(other.movie_id);
    const link = Object.assign(document.createElement("a"),
      { href: `${root}movie/${other.movie_id}/`, textContent: other.title });
    const why = Object.assign(document.createElement("span"), { className: "why", textContent: note(other) });
    item.append(link, " ", why);
    list.append(item);
  }
  list.hidden = movies.length === 0;
}

const likedBoth = ({ liked_both: count }) =>
  `${count.toLocaleString("en-US")} ${count === 1 ? "person" : "people"} liked both`;

/** The movie page's article, from the page's template and the movie's entry. */
function movieArticle({ movie, also_liked: alsoLiked = [], similar }, root) {
  const article = document.getElementById("movie-page").content.firstElementChild.cloneNode(true);
  article.dataset.movieId = String(movie.movie_id);
  const slot = (name) => article.querySelector(`[data-slot="${name}"]`);
  const show = (name, visible) => {
    const label = article.querySelector(`[data-when="${name}"]`);
    label.hidden = !visible;
    if (label.tagName === "DT") label.nextElementSibling.hidden = !visible;
  };
  slot("title").textContent = movie.title;
  slot("year").textContent = movie.year ?? "";
  show("year", movie.year != null);
  slot("genres").textContent = movie.genres.length ? movie.genres.join(", ") : "none listed";
  slot("ratings").textContent = movie.n_ratings
    ? `${movie.n_ratings.toLocaleString("en-US")}, mean ${movie.mean_rating.toFixed(2)}★`
    : "none yet";
  const links = [[movie.imdb_url, "IMDb"], [movie.tmdb_url, "TMDB"],
    [movie.link_url, movie.link_url && new URL(movie.link_url).hostname]].filter(([url]) => url);
  for (const [url, label] of links) {
    const link = Object.assign(document.createElement("a"), { href: url, rel: "noopener", textContent: label });
    slot("links").append(" ", link);
  }
  show("links", links.length > 0);
  slot("favorite").href = `${root}for-you/?favorite=${movie.movie_id}`;
  slot("short-title").textContent = movie.short_title ?? movie.title;
  fillList(slot("also-liked"), alsoLiked, root, likedBoth);
  show("also-liked", alsoLiked.length > 0);
  show("no-also-liked", alsoLiked.length === 0);
  fillList(slot("similar"), similar, root, (other) => `similarity ${other.similarity.toFixed(2)}`);
  show("similar", similar.length > 0);
  show("no-similar", similar.length === 0);
  return article;
}
