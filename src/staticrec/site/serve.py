"""``staticrec serve``: a built site on this machine, with the headers a production host sends.

``python -m http.server`` sends no Content-Security-Policy: the pages carry theirs in a meta
tag, but the recommender's worker obeys HTTP headers only. This server sends the policy the build
wrote into the pages (to the worker too), WebAssembly's MIME type, ``Cache-Control: no-cache``
(every file revalidated, so a rebuild shows at once and the page never meets data of an older
build) and, for a missing path, the site's 404 page, as GitHub Pages does.
"""

from __future__ import annotations

import html
import http.server
import re
import threading
from pathlib import Path
from typing import ClassVar

from staticrec.errors import DataError
from staticrec.site.config import NOT_FOUND

_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')

_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".whl": "application/zip",
    ".parquet": "application/vnd.apache.parquet",
    ".svg": "image/svg+xml",
}


def site_policy(site: Path) -> str:
    """The Content-Security-Policy the build wrote into the site's pages (its home page's)."""
    index = Path(site) / "index.html"
    if not index.is_file():
        raise DataError(index, "is missing: not a built site; run `staticrec build` first")
    found = _POLICY.search(index.read_text(encoding="utf-8"))
    if found is None:
        raise DataError(index, "has no Content-Security-Policy meta tag: not a staticrec site")
    return html.unescape(found.group(1))


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar = {**http.server.SimpleHTTPRequestHandler.extensions_map, **_TYPES}
    server: PreviewServer

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.server.policy)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def send_error(self, code, message=None, explain=None) -> None:
        page = Path(self.directory) / NOT_FOUND
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)


class PreviewServer(http.server.ThreadingHTTPServer):
    """Serves one built site; ``url`` is where to open it."""

    daemon_threads = True

    def __init__(self, site: Path, host: str = "127.0.0.1", port: int = 8000, *, quiet=False):
        self.site = Path(site)
        self.policy = site_policy(self.site)
        self.quiet = quiet

        def handler(*args, **kwargs):
            return _Handler(*args, directory=str(self.site), **kwargs)

        super().__init__((host, port), handler)
        shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
        self.url = f"http://{shown}:{self.server_address[1]}/"

    def start(self) -> PreviewServer:
        """Serve from a background thread (tests, benchmarks); ``close()`` stops it."""
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        self.shutdown()
        self.server_close()
