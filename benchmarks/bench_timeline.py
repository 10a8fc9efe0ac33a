"""One cold visit to For you, as a timeline: what waits on what before the first answer.

    python benchmarks/bench_timeline.py --site SITE [--visits 1]
        [--path "for-you/?favorite=2571"] [--network "9 Mbps / 60 ms (fast 4G)"]

The site is served and throttled as ``bench_network.py`` does (``_visits``: Pages' gzip and
Cache-Control, Chromium's network emulation on the page and every worker, a fresh profile).
For every request of the page and its workers it prints when it started, when its response
began and when its last byte came (ms from the navigation, from Chromium's network events:
their clock is the network's, so a worker busy in Python does not shift them), its bytes on the
wire, and who asked (the page, worker.js, decoder.js); then the page's marks, the recommender
worker's own (ms from the worker's start, which is about when the page asked for worker.js),
and the link's use in steps of a quarter second.

A figure here is one visit: run it beside ``bench_network.py``'s medians, not instead of them.
On a heavily loaded machine a worker's first requests were once missing from the table (their
events never came): a visit whose worker.js rows start late is to be run again.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

from _visits import NETWORKS, Browser, Emulation, mark, serve, wait_for

STEP_S = 0.25
"""The link's use is summed over steps this long."""


class Recorder(Emulation):
    """The emulation of ``_visits``, also keeping every request's network events, the page's
    and each worker's (whose events arrive as messages from its target)."""

    def __init__(self, context, page, conditions) -> None:
        self.requests: dict[tuple[str, str], dict] = {}
        self.chunks: list[tuple[float, str, int]] = []  # (time, who, bytes on the wire)
        self.names: dict[str, str] = {}
        super().__init__(context, page, conditions)
        for method in ("requestWillBeSent", "responseReceived", "dataReceived", "loadingFinished"):
            self.session.on(
                f"Network.{method}", lambda event, m=method: self._network("page", m, event)
            )
        self.session.on("Target.receivedMessageFromTarget", self._from_target)

    def _attached(self, event) -> None:
        url = event["targetInfo"]["url"]
        self.names[event["sessionId"]] = url.split("?")[0].rsplit("/", 1)[-1] or url
        super()._attached(event)

    def _from_target(self, event) -> None:
        message = json.loads(event["message"])
        if message.get("method", "").startswith("Network."):
            who = self.names.get(event["sessionId"], "?")
            self._network(who, message["method"].split(".", 1)[1], message["params"])

    def _network(self, who: str, method: str, params: dict) -> None:
        key = (who, params["requestId"])
        if method == "requestWillBeSent":
            path = params["request"]["url"].split("/", 3)[-1].split("?")[0]
            self.requests[key] = {"who": who, "path": path, "start": params["timestamp"]}
            self.requests[key]["wall"] = params["wallTime"]
        elif key in self.requests:
            request = self.requests[key]
            if method == "responseReceived":
                request["response"] = params["timestamp"]
            elif method == "dataReceived":
                self.chunks.append((params["timestamp"], who, params.get("encodedDataLength", 0)))
            elif method == "loadingFinished":
                request["end"] = params["timestamp"]
                request["wire"] = params["encodedDataLength"]


def visit(browser: Browser, server, path: str, conditions) -> None:
    context = browser.profile()
    try:
        page = context.pages[0] if context.pages else context.new_page()
        recorder = Recorder(context, page, conditions)
        page.goto(server.url + path)
        answered = wait_for(page, mark("first-result"), 300)
        marks = page.evaluate(
            "() => performance.getEntriesByType('mark')"
            ".map(m => [m.name.replace('staticrec:', ''), Math.round(m.startTime)])"
        )
        boot = json.loads(page.evaluate("() => document.body.dataset.bootTimings || '{}'"))
        origin_s = page.evaluate("() => performance.timeOrigin") / 1000
    finally:
        context.close()
    requests = sorted(recorder.requests.values(), key=lambda r: r["start"])
    # network timestamps are a monotonic clock: the first request's wall time places them
    zero = requests[0]["start"] - (requests[0]["wall"] - origin_s)

    def ms(request: dict, key: str) -> str:
        return f"{(request[key] - zero) * 1000:7.0f}" if key in request else "      -"

    print(f"\nthe recommender's answer {answered / 1000:.2f} s after navigation")
    print(f"{'who':<12} {'start':>7} {'reply':>7} {'end':>7} {'MB':>7}  path")
    for r in requests:
        wire = r.get("wire", 0) / 1e6
        print(f"{r['who'][:12]:<12} {ms(r, 'start')} {ms(r, 'response')} {ms(r, 'end')} "
              f"{wire:7.3f}  {r['path']}")  # fmt: skip
    print("page marks (ms):", dict(marks))
    print("the worker's marks (ms from its start):", boot)
    steps: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for at, who, size in recorder.chunks:
        steps[int((at - zero) // STEP_S)][who] += size
    print("the link, Mbps in each step (a busy worker's own events may come late)")
    for step in sorted(steps):
        mbps = {who: round(n * 8 / STEP_S / 1e6, 1) for who, n in steps[step].items()}
        print(f"  {step * STEP_S:5.2f} s  {sum(mbps.values()):5.1f}  {mbps}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", type=Path, required=True, help="the built site visited")
    parser.add_argument("--visits", type=int, default=1)
    parser.add_argument("--path", default="for-you/?favorite=2571")
    parser.add_argument("--network", default="9 Mbps / 60 ms (fast 4G)", choices=NETWORKS)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = serve(args.site)
    try:
        with sync_playwright() as playwright:
            browser = Browser(playwright)
            for _ in range(args.visits):
                visit(browser, server, args.path, NETWORKS[args.network])
            browser.close()
    finally:
        server.close()


if __name__ == "__main__":
    main()
