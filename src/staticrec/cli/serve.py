"""``staticrec serve``: preview a built site on this machine, served as GitHub Pages serves it."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

log = logging.getLogger("staticrec")


def add_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.site.config import SiteConfig

    p = sub.add_parser(
        "serve",
        help="preview a built site on this machine",
        description="Serve a built site over HTTP as GitHub Pages serves it: gzip for text, "
        "scripts, JSON and WebAssembly (not Parquet or wheels), ETags and revalidation of "
        "every file, the 404 page (also for folders without index.html and for symlinks), "
        "and the pages' Content-Security-Policy as a header (the recommender's worker obeys "
        "only the header).",
        epilog="example: staticrec serve site --port 8000",
    )
    p.add_argument(
        "site",
        nargs="?",
        type=Path,
        default=SiteConfig().site_dir,
        help="the built site (default: %(default)s)",
    )
    p.add_argument(
        "--port", type=port_number, default=8000, help="port, 0 to 65535 (default: %(default)s)"
    )
    p.add_argument(
        "--bind",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on: IPv4 or IPv6 (::1); 0.0.0.0 for every interface "
        "(default: %(default)s)",
    )
    p.set_defaults(handler=run)


def port_number(text: str) -> int:
    """A TCP port, checked here so that 99999 is one line, not the socket's OverflowError."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 to 65535, not {text}")
    return port


def run(args: argparse.Namespace) -> int:
    from staticrec.site.serve import PreviewServer

    server = PreviewServer(args.site, args.bind, args.port)
    log.info("serving %s at %s (Ctrl-C stops)", args.site, server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
