"""Options and helpers more than one command shares: where the data comes from, your own files,
and keeping stdout for results."""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from pathlib import Path

from staticrec.errors import ConfigError


def add_data_options(p: argparse.ArgumentParser) -> None:
    from staticrec.pipeline.download import KNOWN_DATASETS, DownloadConfig

    download = DownloadConfig()
    data = p.add_argument_group("data")
    data.add_argument("--data-dir", type=Path, help="an extracted MovieLens folder (no download)")
    data.add_argument(
        "--dataset",
        default=download.dataset,
        choices=KNOWN_DATASETS,
        help="release to download and cache when --data-dir is not given (default: %(default)s)",
    )
    data.add_argument(
        "--cache-dir",
        type=Path,
        default=download.cache_dir,
        help="download cache (default: %(default)s)",
    )
    data.add_argument(
        "--download-url",
        default=download.base_url,
        metavar="URL",
        help="where releases are fetched from (default: %(default)s)",
    )


def download_config(args: argparse.Namespace):
    from staticrec.pipeline.download import DownloadConfig

    return DownloadConfig(
        dataset=args.dataset,
        cache_dir=args.cache_dir,
        base_url=args.download_url,
        progress=not args.quiet,
    )


def add_own_data_options(p: argparse.ArgumentParser, scale: tuple[float, float]) -> None:
    from staticrec.pipeline.data_files import RatingsFiles

    files = RatingsFiles(Path("ratings.csv"))
    own = p.add_argument_group(
        "your own data (instead of MovieLens)",
        "Ids must be whole numbers; columns are named as in your files' header.",
    )
    own.add_argument("--ratings", type=Path, metavar="FILE", help="a CSV of user, item, rating")
    own.add_argument("--items", type=Path, metavar="FILE", help="a CSV of item, title, categories")
    for field, what in [
        ("user_column", "the user id"),
        ("item_column", "the item id (both files)"),
        ("rating_column", "the rating"),
        ("timestamp_column", "the rating's time; 'none': the file's order is the time"),
        ("title_column", "the item's title"),
        ("categories_column", "the item's categories; 'none': no content model"),
    ]:
        own.add_argument(
            f"--{field.replace('_', '-')}",
            metavar="NAME",
            default=getattr(files, field),
            help=f"column of {what} (default: %(default)s)",
        )
    own.add_argument(
        "--link-column",
        metavar="NAME",
        help="column of each item's page elsewhere, a whole http(s) address, linked from its "
        "page (for ids that are not the other site's; else --link-template)",
    )
    own.add_argument(
        "--categories-separator",
        default=files.categories_separator,
        help="between two categories (default: %(default)s)",
    )
    own.add_argument(
        "--rating-scale",
        nargs=2,
        type=float,
        metavar=("LOW", "HIGH"),
        default=scale,
        help=f"lowest and highest rating (default: {scale[0]:g} {scale[1]:g})",
    )
    own.add_argument("--name", help="the dataset's name on the site (default: the file's name)")


def ratings_files(args: argparse.Namespace):
    """Your own files as the build takes them, or None for MovieLens."""
    from staticrec.pipeline.data_files import RatingsFiles

    if args.ratings is None:
        for name in ("items", "link_column"):
            if getattr(args, name) is not None:
                raise ConfigError("needs --ratings too", field=name)
        return None
    if args.data_dir is not None:
        raise ConfigError(
            "give either --data-dir (MovieLens) or --ratings, not both", field="ratings"
        )

    def column(name: str) -> str | None:
        return None if name.lower() == "none" else name

    return RatingsFiles(
        ratings=args.ratings,
        items=args.items,
        user_column=args.user_column,
        item_column=args.item_column,
        rating_column=args.rating_column,
        timestamp_column=column(args.timestamp_column),
        title_column=args.title_column,
        categories_column=column(args.categories_column),
        categories_separator=args.categories_separator,
        link_column=args.link_column,
        name=args.name,
    )


def results_only(compute, *args):
    """``compute(*args)``, with whatever it prints sent to stderr: stdout carries results only
    (Surprise prints its progress, "Estimating biases using als...", with print)."""
    with contextlib.redirect_stdout(sys.stderr):
        return compute(*args)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with its control characters escaped (ESC as ``\\x1b``): what a file holds
    never reaches the terminal as a command, and a message stays on one line."""
    return _CONTROL.sub(lambda found: found.group().encode("unicode_escape").decode(), text)
