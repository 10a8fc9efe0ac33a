"""Visits to a built site as a GitHub Pages visitor makes them: the site served by ``staticrec
serve``'s server (gzip where Pages compresses, ETags), Chromium's network emulation applied to
the page, its workers and the site's service worker alike, and every response's bytes on the
wire and decoded taken from the server's transfer log.

Each visit runs in a fresh browser profile on disk (a first-time visitor's, with a disk cache
as a phone has; an in-memory profile keeps no 10 MB file).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from _common import REPO
from staticrec.site import static_files
from staticrec.site.serve import PAGES_CACHE_CONTROL, PreviewServer, Transfer

sys.path.insert(0, str(REPO / "tests" / "browser"))
from browsing import CHROMIUM, CHROMIUM_ARGS

NETWORKS = {"9 Mbps / 60 ms (fast 4G)": (9e6, 60), "50 Mbps / 20 ms (cable)": (50e6, 20)}
"""Bits per second down and up, and latency in ms, as Chromium's DevTools emulate them."""


def serve(site) -> PreviewServer:
    """The site served as Pages serves it (its ``Cache-Control`` too), until closed. The files a
    visit to For you reads are gzipped once before any visit, as Pages keeps them (the server
    would otherwise make the first visit wait 0.7 s for the WebAssembly's gzip form)."""
    server = PreviewServer(site, port=0, quiet=True, cache_control=PAGES_CACHE_CONTROL).start()
    site = Path(site)
    for folder in ("pyodide", "assets", "vendor", "data"):
        for path in sorted((site / folder).rglob("*")):
            if (
                path.is_file()
                and static_files.content_type(str(path)) in static_files.COMPRESSED_TYPES
            ):
                request = urllib.request.Request(
                    server.url + path.relative_to(site).as_posix(),
                    headers={"Accept-Encoding": "gzip"},
                )
                with urllib.request.urlopen(request) as response:
                    response.read()
    server.clear_transfer_log()
    return server


def mark(name: str) -> str:
    """A script giving the time (ms since navigation) of a page's ``staticrec:<name>`` mark."""
    return f"() => performance.getEntriesByName('staticrec:{name}')[0]?.startTime"


NOW = "() => performance.timeOrigin + performance.now()"
"""The browser's clock (ms since the epoch), the same for every page of one browser."""


def wait_for(page, script: str, timeout_s: float = 120, arg=None):
    """Poll ``script`` until it is truthy (the pages' CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = page.evaluate(script, arg)
        if value:
            return value
        time.sleep(0.05)
    shown = page.evaluate("() => document.body.innerText.slice(0, 500)")
    raise TimeoutError(f"{script} never held on {page.url}: the page shows {shown!r}")


class Emulation:
    """Chromium's network emulation on one page and on every worker it starts, the service
    worker included: each is attached paused, throttled, then let run, so that none of its
    requests escapes (the page's own emulation does not reach a service worker)."""

    def __init__(self, context, page, conditions: tuple[float, int] | None) -> None:
        self.session = context.new_cdp_session(page)
        self.params = None
        if conditions is not None:
            bits, latency = conditions
            self.params = {
                "offline": False,
                "latency": latency,
                "downloadThroughput": bits / 8,
                "uploadThroughput": bits / 8,
            }
        self._id = 0
        self.session.send("Network.enable")
        if self.params:
            self.session.send("Network.emulateNetworkConditions", self.params)
        self.session.on("Target.attachedToTarget", self._attached)
        self.session.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False},
        )

    def _send(self, session_id: str, method: str, params: dict) -> None:
        self._id += 1
        message = json.dumps({"id": self._id, "method": method, "params": params})
        self.session.send(
            "Target.sendMessageToTarget", {"sessionId": session_id, "message": message}
        )

    def _attached(self, event) -> None:
        session_id = event["sessionId"]
        if self.params:
            self._send(session_id, "Network.enable", {})
            self._send(session_id, "Network.emulateNetworkConditions", self.params)
        self._send(session_id, "Runtime.runIfWaitingForDebugger", {})


def before(server: PreviewServer, page, moment_ms: float) -> list[Transfer]:
    """The responses the server began before a moment of ``page`` (ms after its navigation,
    as its marks give it): the browser's clock is set against the server's by one reading."""
    browser_s = page.evaluate(NOW) / 1000
    offset = time.monotonic() - browser_s
    origin_s = page.evaluate("() => performance.timeOrigin") / 1000
    moment = origin_s + moment_ms / 1000 + offset
    return [t for t in server.transfer_log() if t.at <= moment]


@dataclass
class Visit:
    """One visit's figures: ms to each moment, the responses and the browser's CPU seconds in
    each stretch, and whether For you opened in the movie page's document."""

    ms: dict[str, float] = field(default_factory=dict)
    transfers: dict[str, list[Transfer]] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)
    memory_mb: float = float("nan")
    in_place: bool = False


def _browser_processes() -> list[int]:
    """This process's descendants that still run: the browser's processes, its renderer and
    GPU processes among them (Linux's /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            children.setdefault(int(stat[1]), []).append(int(entry.name))
    found, pending = [], list(children.get(os.getpid(), []))
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending += children.get(pid, [])
    return found


def browser_cpu_s() -> float:
    """CPU seconds (user + system) the browser's processes have used so far."""
    ticks = 0
    for pid in _browser_processes():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(stat[11]) + int(stat[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def browser_memory_mb() -> float:
    """The browser's processes' anonymous resident memory (heaps, WebAssembly memories), MB."""
    kb = 0
    for pid in _browser_processes():
        try:
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        kb += sum(int(line.split()[1]) for line in status if line.startswith("RssAnon:"))
    return kb / 1024


class Browser:
    """Fresh on-disk profiles of Debian's Chromium, one per visit."""

    def __init__(self, playwright) -> None:
        self.playwright = playwright
        self._folders: list[tempfile.TemporaryDirectory] = []

    def profile(self):
        folder = tempfile.TemporaryDirectory(prefix="staticrec-profile-")
        self._folders.append(folder)
        return self.playwright.chromium.launch_persistent_context(
            folder.name, executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )

    def close(self) -> None:
        for folder in self._folders:
            folder.cleanup()


def cold_visit(browser: Browser, server: PreviewServer, path: str, conditions) -> Visit:
    """A first-time visitor opens ``path`` (For you): the early answer, the recommender's
    answer, the bytes before it; then, once the service worker has kept the files, a second
    visit, and one with the network off."""
    visit = Visit()
    context = browser.profile()
    try:
        page = context.pages[0] if context.pages else context.new_page()
        Emulation(context, page, conditions)
        server.clear_transfer_log()
        page.goto(server.url + path)
        visit.ms["cold"] = wait_for(page, mark("first-result"), 300)
        visit.transfers["cold"] = before(server, page, visit.ms["cold"])
        visit.ms["early"] = page.evaluate(mark("early-result")) or float("nan")
        wait_for(page, "() => document.body.dataset.offline", 300)
        server.clear_transfer_log()
        page.reload()
        visit.ms["second visit"] = wait_for(page, mark("first-result"), 300)
        visit.transfers["second visit"] = before(server, page, visit.ms["second visit"])
        context.set_offline(True)
        page.reload()
        visit.ms["network off"] = wait_for(page, mark("first-result"), 300)
    finally:
        context.close()
    return visit


LINK = "a[href*='for-you/?favorite=']"
"""The movie page's "Recommend movies like this" link."""


def click_visit(
    browser: Browser, server: PreviewServer, movie: int, conditions, read_s: float
) -> Visit:
    """A first-time visitor lands on a movie page, reads for ``read_s`` seconds, then clicks
    "Recommend movies like this" (a left click on the link, as Playwright's mouse makes it):
    ms from the click to the recommender's answer, the bytes fetched and the browser's CPU
    seconds while reading and after the click, its memory at the click, and whether For you
    opened in the movie page's document (with the recommender that page kept warm:
    web/static/warm.js)."""
    visit = Visit()
    context = browser.profile()
    try:
        page = context.pages[0] if context.pages else context.new_page()
        Emulation(context, page, conditions)
        server.clear_transfer_log()
        cpu = browser_cpu_s()
        page.goto(f"{server.url}movie/{movie}/")
        page.wait_for_timeout(read_s * 1000)
        visit.transfers["reading"] = server.transfer_log()
        visit.cpu_s["reading"] = browser_cpu_s() - cpu
        visit.memory_mb = browser_memory_mb()
        visit.ms["warm ready"] = page.evaluate(mark("warm-ready")) or float("nan")
        server.clear_transfer_log()
        cpu = browser_cpu_s()
        clicked = page.evaluate(NOW)
        page.click(LINK)
        page.wait_for_url("**/for-you/**")
        answered = wait_for(page, mark("first-result"), 300)
        visit.cpu_s["after click"] = browser_cpu_s() - cpu
        visit.ms["after click"] = page.evaluate("() => performance.timeOrigin") + answered - clicked
        visit.transfers["after click"] = before(server, page, answered)
        loaded = page.evaluate("() => performance.getEntriesByType('navigation')[0].name")
        visit.in_place = "/movie/" in loaded  # the document is still the movie page's
    finally:
        context.close()
    return visit


def by_file(transfers: list[Transfer]) -> dict[str, tuple[int, int, int]]:
    """{file group: (wire bytes, decoded bytes, responses)}: each runtime and start file on
    its own, shards and pages in groups."""
    out: dict[str, tuple[int, int, int]] = {}
    for t in transfers:
        parts = t.path.strip("/").split("/")
        if parts[0] == "pyodide" or (parts[0] == "data" and len(parts) == 2):
            key = t.path.lstrip("/")
        elif parts[0] == "data":
            key = f"data/{parts[1]}/ (shards)"
        elif parts[0] in ("assets", "vendor"):
            key = "scripts and styles"
        else:
            key = "pages, early answers, service worker"
        wire, decoded, count = out.get(key, (0, 0, 0))
        out[key] = (wire + t.wire_bytes, decoded + t.decoded_bytes, count + 1)
    return out


def runtime_wire(transfers: list[Transfer]) -> int:
    """Bytes on the wire of Pyodide, numpy and the scoring wheel (the site's pyodide/)."""
    return sum(t.wire_bytes for t in transfers if t.path.startswith("/pyodide/"))
