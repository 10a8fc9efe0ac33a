"""``staticrec recommend``: what the site would answer a known user or a new visitor, and why."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from staticrec.cli.options import printable
from staticrec.errors import DataError
from staticrec.scoring.errors import ScoringError

log = logging.getLogger("staticrec")


def add_parser(sub: argparse._SubParsersAction) -> None:
    from staticrec.pipeline.run import BuildConfig

    p = sub.add_parser(
        "recommend",
        help="print the top 10 for a known user or a new visitor, each with why",
        description="Load the artifacts and print the recommendations: the collaborative item "
        "index, SVD, content and most-rated lists fused by weighted Reciprocal Rank Fusion, each "
        "movie with the short reason that put it there (--json: the whole chain, in why). Titles "
        "are matched as the site's search matches them: case, accents, a leading or trailing "
        'article and the year may differ ("heat", "the matrix").',
        epilog='examples: staticrec recommend --user 105 --favorite "Toy Story (1995)"\n'
        '          staticrec recommend --rate "Heat=5" --rate "casino=4.5" --genre Crime\n'
        '          staticrec recommend --user 105 --hide "forrest gump" --decade 1990\n'
        "          staticrec recommend --user 105 --together-file friend.csv   # watch together\n"
        "          staticrec recommend --user 105 --niche 2   # less popular picks\n"
        "          staticrec recommend --user 1 --user 2 --json   # JSON Lines\n"
        "          staticrec recommend --ratings-file my-ratings.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--artifacts-dir",
        type=Path,
        default=BuildConfig().artifacts_dir,
        help="artifacts written by `staticrec build` (default: %(default)s)",
    )
    who = p.add_mutually_exclusive_group()
    who.add_argument(
        "--user",
        type=int,
        action="append",
        default=[],
        help="a userId from the dataset; repeat for several (answered in one process)",
    )
    who.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar='"TITLE=RATING"',
        help="a new visitor's rating; repeat for several (none: popularity)",
    )
    who.add_argument(
        "--ratings-file",
        type=Path,
        metavar="FILE",
        help="a new visitor's ratings: a CSV with the columns movieId,rating, or an IMDb or "
        "Letterboxd ratings export",
    )
    p.add_argument(
        "--favorite",
        action="append",
        default=[],
        metavar="TITLE",
        help="a movie whose content neighbours to blend in; repeatable "
        "(default: the user's highest-rated movie, or the visitor's liked ones)",
    )
    p.add_argument(
        "--hide",
        action="append",
        default=[],
        metavar="TITLE",
        help="a movie never to recommend, which also counts against the movies like it; repeatable",
    )
    p.add_argument(
        "--genre",
        help="only movies of this genre, as the items file spells it (Comedy, Sci-Fi, ...)",
    )
    p.add_argument(
        "--decade",
        type=int,
        metavar="YEAR",
        help="only movies of this decade: 1990 keeps 1990-1999",
    )
    p.add_argument(
        "--together-file",
        type=Path,
        metavar="FILE",
        help="a second person's ratings (movieId,rating, or an IMDb or Letterboxd export): one "
        "list for you both, that neither would hate",
    )
    p.add_argument(
        "--niche",
        type=int,
        default=0,
        metavar="LEVEL",
        help="from 0 (the default) to 3: how far the list leans to less popular movies, "
        "as the page's control does (default: %(default)s)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print each answer whole, as one JSON object per line (JSON Lines)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import json

    from staticrec.pipeline.artifacts import load_recommender

    recommender = load_recommender(args.artifacts_dir)
    favorites = [find_title(recommender, title, "--favorite") for title in args.favorite]
    options = {
        "hidden": [find_title(recommender, title, "--hide") for title in args.hide],
        "genre": args.genre,
        "decade": args.decade,
        "together": None,
        "niche": args.niche,
    }
    if args.together_file is not None:
        together = read_ratings_file(args.together_file, recommender)
        _report_import(args.together_file, together)
        options["together"] = together.ratings
    if args.user:
        answers = (recommender.for_user(user, favorites, **options) for user in args.user)
    else:
        if args.ratings_file is not None:
            imported = read_ratings_file(args.ratings_file, recommender)
            ratings = imported.ratings
            _report_import(args.ratings_file, imported)
        else:
            ratings = {
                find_title(recommender, t, "--rate"): r for t, r in map(_title_rating, args.rate)
            }
        answers = iter([recommender.for_visitor(ratings, favorites, **options)])
    for place, answer in enumerate(answers):
        if args.json:
            print(json.dumps(answer.as_dict(), ensure_ascii=False), flush=True)
        else:
            lines = "\n".join(printable(line) for line in _answer_lines(answer))
            print(("\n" if place else "") + lines, flush=True)
    return 0


def find_title(recommender, title: str, option: str) -> int:
    """The movieId ``title`` names, as the site's search would pick it; on stderr, which movie
    was chosen when others matched as well."""
    match = recommender.titles.match(title)
    if match.others:
        others = "; ".join(printable(t) for t in match.others[:3])
        more = f" and {len(match.others) - 3} more" if len(match.others) > 3 else ""
        log.info(
            "%s %s: chose %s (the most rated of those matching), not %s%s",
            option,
            printable(repr(title)),
            printable(match.title),
            others,
            more,
        )
    return match.movie_id


def _report_import(path: Path, imported) -> None:
    """On stderr: how many ratings an export gave, and the rows that matched no movie."""
    total = len(imported.ratings) + len(imported.unmatched)
    log.info("%s (%s): %d of %d rows matched", path, imported.format, len(imported.ratings), total)
    for line in imported.unmatched[:20]:
        log.info("  not matched: %s", printable(line))
    if len(imported.unmatched) > 20:
        log.info("  ... and %d more", len(imported.unmatched) - 20)


def _title_rating(text: str) -> tuple[str, float]:
    """``"Heat (1995)=4.5"`` -> ``("Heat (1995)", 4.5)``."""
    title, sep, value = text.rpartition("=")
    if not sep:
        raise ScoringError(f"--rate expects TITLE=RATING, got {text!r}")
    try:
        return title, float(value)
    except ValueError as exc:
        raise ScoringError(f"--rate {text!r}: {exc}") from None


def _answer_lines(answer) -> list[str]:
    """The fused list as a table, each movie with the short reason that put it there."""
    liked = "; ".join(item.title for item in answer.favorites) or "none"
    lines = [f"mode: {answer.mode}; content list from: {liked}"]
    if answer.ignored:
        lines.append(f"ignored unknown movieIds: {answer.ignored}")
    lines.append(f"{'#':>2}  {'movieId':>7}  title  (why)")
    for place, item in enumerate(answer.hybrid, start=1):
        lines.append(f"{place:>2}  {item.movie_id:>7}  {item.title}  ({item.reason})")
    return lines


def read_ratings_file(path: Path, recommender):
    """The ratings in ``path`` (movieId,rating, or an IMDb or Letterboxd export), read as the
    page's file picker reads them, their problems named by file, line and column."""
    from staticrec.scoring.imports import BadRatingsFile, read_ratings_text

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    except UnicodeDecodeError as exc:
        raise DataError(path, f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return read_ratings_text(text, recommender.model)
    except BadRatingsFile as exc:
        raise DataError(path, exc.problem, line=exc.line, column=exc.column) from None
