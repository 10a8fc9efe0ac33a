// Opened from a file (file://), the browser refuses the site's module scripts and its worker,
// so search and recommendations would never start: say so. A classic script, which file:// runs.
if (location.protocol === "file:") {
  const box = document.getElementById("error");
  box.textContent = "This page was opened from a file, and browsers do not run the site's "
    + "scripts from files: search and recommendations need it served over HTTP. In the folder "
    + "that holds the site, run: python -m http.server 8000, then open http://localhost:8000/";
  box.hidden = false;
  document.body.dataset.error = "true";
  const status = document.getElementById("status");
  if (status) status.textContent = "The recommender cannot start from a file.";
}
