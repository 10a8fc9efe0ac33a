"""``staticrec serve``: preview a built site on this machine, with a static host's headers."""

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
        description="Serve a built site over HTTP with the headers a production host should "
        "send: the pages' Content-Security-Policy (the recommender's worker obeys only the "
        "header), WebAssembly's MIME type, revalidation of every file, and the 404 page.",
        epilog="example: staticrec serve site --port 8000",
    )
    p.add_argument(
        "site",
        nargs="?",
        type=Path,
        default=SiteConfig().site_dir,
        help="the built site (default: %(default)s)",
    )
    p.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    p.add_argument(
        "--bind",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on; 0.0.0.0 for every interface (default: %(default)s)",
    )
    p.set_defaults(handler=run)


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
