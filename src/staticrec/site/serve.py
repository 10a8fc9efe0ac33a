"""``staticrec serve``: a built site on this machine, served as GitHub Pages serves it.

``python -m http.server`` sends no Content-Security-Policy, nothing compressed and a listing for
every folder. This server sends what Pages sends, so that what a visitor downloads and waits for
can be measured here:

- gzip, when the browser accepts it, for the types Pages compresses (HTML, CSS, JavaScript,
  JSON, SVG, XML, text and WebAssembly), never for Parquet, zips, wheels or images, with
  ``Vary: Accept-Encoding``; each file's gzip form is cached until the file changes;
- a strong ETag per file and encoding, and 304 for an ``If-None-Match`` that names it;
- the site's 404 page for a missing path, a folder without ``index.html`` (no listings) and
  any path through a symlink; a folder's address without its slash redirected (301) to it;
- the policy the build wrote into the pages as a header (the recommender's worker obeys HTTP
  headers only), read again when ``index.html`` changes, and WebAssembly's MIME type.

One difference on purpose: Pages sends ``Cache-Control: max-age=600``, so a visitor may use a
file for ten minutes without asking. The preview sends ``no-cache`` instead: every file is
revalidated (a 304 when unchanged), so a rebuild shows at once and a page never meets data of
an older build. The benchmarks ask for Pages' header (``cache_control=PAGES_CACHE_CONTROL``):
Chromium then takes a script the worker has just checked from its cache when Pyodide imports it,
where under ``no-cache`` it downloads it again.

A bad request gets one log line and an answer (400 for a path no file can have), never a
traceback; a connection idle for ``idle_timeout`` seconds, or left half-sent, is closed. The
server counts what each response sent (``transfer_log``), so that a benchmark can report bytes
on the wire beside bytes decoded, file by file.
"""

from __future__ import annotations

import collections
import errno
import html
import http.server
import ipaddress
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from staticrec.errors import ConfigError, DataError
from staticrec.site import static_files
from staticrec.site.config import NOT_FOUND

IDLE_TIMEOUT_S = 30.0
"""Seconds a connection may stay silent (idle, or in the middle of its request) before it is
closed, so that a client cannot hold a thread forever."""

PAGES_CACHE_CONTROL = "max-age=600"
"""What GitHub Pages sends with every file."""

TRANSFERS_KEPT = 100_000
"""Responses the transfer log keeps (the newest), so that a long preview does not grow it."""

_CHUNK = 64 * 1024
"""Bytes per write: a socket timeout bounds each write, so a slow reader is not cut off."""

_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def site_policy(site: Path) -> str:
    """The Content-Security-Policy the build wrote into the site's pages (its home page's)."""
    index = Path(site) / "index.html"
    if not index.is_file():
        raise DataError(index, "is missing: not a built site; run `staticrec build` first")
    found = _POLICY.search(index.read_text(encoding="utf-8"))
    if found is None:
        raise DataError(index, "has no Content-Security-Policy meta tag: not a staticrec site")
    return html.unescape(found.group(1))


class _SitePolicy:
    """The site's policy, read again whenever ``index.html``'s mtime or size changes, so that
    the header follows a rebuild; while the home page is missing or unreadable (a rebuild
    swapping folders) the last policy read stays."""

    def __init__(self, site: Path) -> None:
        self._site = site
        self._index = site / "index.html"
        self._policy = site_policy(site)  # not a site: refused at the start
        self._version = self._stat()

    def _stat(self) -> tuple[int, int] | None:
        try:
            status = os.stat(self._index)
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size

    def current(self) -> str:
        version = self._stat()
        if version is not None and version != self._version:
            try:
                self._policy = site_policy(self._site)
                self._version = version
            except (DataError, OSError, UnicodeDecodeError):
                pass  # caught mid-write: the next request reads it again
        return self._policy


class Transfer(NamedTuple):
    """One response as the visitor's network saw it."""

    path: str
    """The request's path, as the browser sent it (query dropped)."""
    status: int
    wire_bytes: int
    """Body bytes sent (gzipped when the encoding is gzip); headers not counted."""
    decoded_bytes: int
    """Body bytes once decoded: the file's size for a whole file sent (for a gzip body cut
    short by the browser, 0: not worked out)."""
    encoding: str
    """``gzip`` or ``identity``."""
    at: float = 0.0
    """When the response began (``time.monotonic()``), to tell what came before a moment."""


class _Handler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # the socket's timeout: see IDLE_TIMEOUT_S
        self._replied = False
        self._reason = ""  # why an error was sent, for its log line
        super().setup()

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        try:
            try:
                target = static_files.locate(self.server.root, self.path)
            except static_files.BadPath as exc:
                self.send_error(400, str(exc))
                return
            if target.redirect is not None:
                self.send_response(301)
                self.send_header("Location", target.redirect)
                self.send_header("Content-Length", "0")
                self._finish(self._transfer(301, 0, 0, "identity"), ())
            elif target.file is None or not self._send_file(200, target, send_body):
                self.send_error(404)
        except ConnectionError:
            raise  # the browser went away: nobody to answer
        except Exception as exc:  # one log line and a 500, never a traceback
            reason = f"{type(exc).__name__}: {exc}"
            if self._replied:
                self.log_error("%r cut short: %s", self.path, reason)
                self.close_connection = True
            else:
                self.send_error(500, reason)

    def _send_file(self, status: int, target: static_files.Target, send_body: bool) -> bool:
        """Send a file (or its gzip form), or 304 when the browser has this version; False,
        with nothing sent, when the file is gone or is no longer the one the walk found."""
        try:
            opened = open(target.file, "rb")  # noqa: SIM115 (closed by the with below)
        except OSError:
            return False
        with opened:
            found = os.fstat(opened.fileno())
            if (found.st_dev, found.st_ino) != (target.status.st_dev, target.status.st_ino):
                return False  # replaced (by a symlink, or a rebuild) since the walk found it
            kind = static_files.content_type(target.file)
            compress = kind in static_files.COMPRESSED_TYPES
            encoded = self.server.files.encoded(target.file, opened, found, compress)
            gzipped = compress and static_files.accepts_gzip(self.headers["Accept-Encoding"])
            encoding = "gzip" if gzipped else "identity"
            etag = encoded.etag(encoding)
            if status == 200 and static_files.etag_matches(self.headers["If-None-Match"], etag):
                status = 304
            self.send_response(status)
            if status != 304:
                self.send_header("Content-Type", kind)
                length = len(encoded.gzipped) if gzipped else found.st_size
                self.send_header("Content-Length", str(length))
            if gzipped and status != 304:
                self.send_header("Content-Encoding", "gzip")
            if compress:
                self.send_header("Vary", "Accept-Encoding")
            if status in (200, 304):
                self.send_header("ETag", etag)
            if not send_body or status == 304:
                self._finish(self._transfer(status, 0, 0, encoding), ())
            elif gzipped:
                body = memoryview(encoded.gzipped)
                chunks = (body[start : start + _CHUNK] for start in range(0, len(body), _CHUNK))
                self._finish(self._transfer(status, len(body), found.st_size, encoding), chunks)
            else:
                opened.seek(0)
                chunks = iter(lambda: opened.read(_CHUNK), b"")
                self._finish(self._transfer(status, found.st_size, found.st_size, encoding), chunks)
        return True

    def _finish(self, transfer: Transfer, body: Iterable[bytes | memoryview]) -> None:
        """Log the response, then end its headers and send its body in chunks.

        Logged first, so that a client holding the whole response finds it in the transfer log;
        put right when the browser leaves halfway, to what reached the socket.
        """
        self.server.record(transfer)
        sent = 0
        try:
            self.end_headers()
            for chunk in body:
                sent += self.wfile.write(chunk)
        except BaseException:
            decoded = sent if transfer.encoding == "identity" else 0
            self.server.amend(transfer, transfer._replace(wire_bytes=sent, decoded_bytes=decoded))
            raise

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        """The site's 404 page for a 404 (as Pages sends it); a line of text otherwise."""
        if code == 404:
            page = static_files.locate(self.server.root, "/" + NOT_FOUND)
            if page.file is not None and self._send_file(404, page, self.command != "HEAD"):
                return
        self._reason = message or ""
        self.close_connection = True
        phrase = self.responses.get(code, ("error",))[0]
        body = f"{code} {phrase}{': ' + message if message else ''}\n".encode()
        self.send_response(code)  # the standard phrase: the message may hold anything
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.command == "HEAD" or code < 200 or code in (204, 304):
            body = b""
        self._finish(self._transfer(code, len(body), len(body), "identity"), (body,))

    def send_response(self, code: int, message: str | None = None) -> None:
        self._replied = True
        super().send_response(code, message)

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.server.policy.current())
        self.send_header("Cache-Control", self.server.cache_control)
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _transfer(self, status: int, wire: int, decoded: int, encoding: str) -> Transfer:
        path = getattr(self, "path", "").split("?", 1)[0]  # none for a garbled request line
        return Transfer(path, status, wire, decoded, encoding, time.monotonic())

    def log_request(self, code="-", size="-") -> None:
        """The access log's line, with the reason for an error in it: one line a request."""
        self.log_message('"%s" %s %s', self.requestline, code, self._reason or size)

    def log_message(self, format, *args) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)


class PreviewServer(http.server.ThreadingHTTPServer):
    """Serves one built site; ``url`` is where to open it.

    Args:
        site: the built site's folder.
        host: the address to listen on: IPv4, IPv6 (``::1``, brackets allowed) or a name.
        port: the port; 0 picks a free one (``url`` then says which).
        quiet: no log line per request.
        idle_timeout: seconds of silence after which a connection is closed.
        cache_control: the ``Cache-Control`` header (``PAGES_CACHE_CONTROL`` to measure as a
            Pages visitor; the preview's ``no-cache`` otherwise).

    Raises:
        DataError: the folder is not a built site.
        ConfigError: the address cannot be listened on (in use, not this machine's, unknown).
    """

    daemon_threads = True

    def __init__(
        self,
        site: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        quiet: bool = False,
        idle_timeout: float = IDLE_TIMEOUT_S,
        cache_control: str = "no-cache",
    ) -> None:
        self.site = Path(site)
        self.root = os.path.abspath(self.site)
        self.policy = _SitePolicy(self.site)
        self.files = static_files.FileCache()
        self.quiet = quiet
        self.idle_timeout = idle_timeout
        self.cache_control = cache_control
        self._transfers: collections.deque[Transfer] = collections.deque(maxlen=TRANSFERS_KEPT)
        self._transfers_lock = threading.Lock()
        host = host.strip("[]")
        ipv6 = ":" in host
        self.address_family = socket.AF_INET6 if ipv6 else socket.AF_INET
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            raise _listen_error(_address(host, port), exc) from None
        shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        self.url = f"http://{_address(shown, self.server_address[1])}/"

    def record(self, transfer: Transfer) -> None:
        """Note one response (the handler calls this just before sending it)."""
        with self._transfers_lock:
            self._transfers.append(transfer)

    def amend(self, recorded: Transfer, corrected: Transfer) -> None:
        """Put right a response recorded before it was sent, if still kept (rare: a browser
        that left halfway), so searching from the newest is cheap."""
        with self._transfers_lock:
            for index in range(len(self._transfers) - 1, -1, -1):
                if self._transfers[index] is recorded:
                    self._transfers[index] = corrected
                    return

    def transfer_log(self) -> list[Transfer]:
        """Every response so far (the newest ``TRANSFERS_KEPT``), oldest first:
        ``(path, status, wire_bytes, decoded_bytes, encoding, at)``."""
        with self._transfers_lock:
            return list(self._transfers)

    def clear_transfer_log(self) -> None:
        """Forget the responses so far, to measure the next visit alone."""
        with self._transfers_lock:
            self._transfers.clear()

    def handle_error(self, request, client_address) -> None:
        """One line for an error escaping a handler, not socketserver's traceback; none for a
        browser that left mid-download (it cancelled the request)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError) or self.quiet:
            return
        print(f"{client_address[0]}: {type(exc).__name__}: {exc}", file=sys.stderr)

    def start(self) -> PreviewServer:
        """Serve from a background thread (tests, benchmarks); ``close()`` stops it."""
        # polled every 0.05 s, not 0.5: close() waits one poll, and tests start many servers
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def _address(host: str, port: int) -> str:
    """``host:port``, with an IPv6 address in brackets as URLs write it."""
    try:
        ipv6 = ipaddress.ip_address(host).version == 6
    except ValueError:
        ipv6 = False
    return f"[{host}]:{port}" if ipv6 else f"{host}:{port}"


def _listen_error(address: str, exc: OSError) -> ConfigError:
    if exc.errno == errno.EADDRINUSE:
        return ConfigError(f"{address} is already in use: stop the other server or choose --port")
    if exc.errno == errno.EACCES:
        return ConfigError(
            f"cannot listen on {address}: permission denied: choose --port 1024 or above"
        )
    return ConfigError(f"cannot listen on {address}: {exc.strerror or exc}: choose another --bind")
