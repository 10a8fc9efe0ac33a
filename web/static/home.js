// Home page: title search that jumps to the movie's page.
import { attachSearch, loadCatalog } from "./search.js";
import { movieUrl, showError, siteConfig } from "./page.js";

const config = siteConfig();
loadCatalog(config)
  .then((catalog) => {
    const input = document.getElementById("search");
    attachSearch(input, document.getElementById("search-results"), catalog, (movieId) => {
      location.href = movieUrl(config.root, movieId);
    });
    input.form.addEventListener("submit", (event) => event.preventDefault());
  })
  .catch((error) => showError(`Search is unavailable: ${error.message}`));
