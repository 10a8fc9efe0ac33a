// Home page: title search that jumps to the movie's page.
import { decodeItems } from "./recommender-client.js";
import { attachSearch, catalogFromItems } from "./search.js";
import { movieUrl, showError, siteConfig } from "./page.js";

const config = siteConfig();
decodeItems(config)
  .then((items) => {
    const catalog = catalogFromItems(items);
    const input = document.getElementById("search");
    attachSearch(input, document.getElementById("search-results"), catalog, (movieId) => {
      location.href = movieUrl(config.root, movieId);
    });
    input.form.addEventListener("submit", (event) => event.preventDefault());
  })
  .catch((error) => showError(`Search is unavailable: ${error.message}`));
