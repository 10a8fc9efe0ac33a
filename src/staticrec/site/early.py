"""Early answers: each known user's list as the build computed it, shown while the browser's
recommender starts (the same scoring core computes both)."""

from __future__ import annotations

from threadpoolctl import threadpool_limits

from staticrec.scoring import Recommender

EARLY_USERS_PER_FILE = 16
"""A file holds this many users' answers (about 1.5 kB each): small, so it arrives first."""


EARLY_MAX_USERS = 50_000
"""Above this many users, no early answers are written (their files would outweigh the site):
a known user then sees the most-rated list until the recommender is up."""


def early_answer(answer) -> list[dict]:
    """The fused list of an answer, as the page shows it before its recommender is up: each
    pick's id, title, short reason, whole chain of reasons, genres and year, as the
    recommender's answer gives them."""
    return [
        {
            "movie_id": i.movie_id,
            "title": i.title,
            "reason": i.reason,
            "why": i.why,
            "genres": i.genres,
            "year": i.year,
        }
        for i in answer.hybrid
    ]


def early_file_count(n_users: int) -> int:
    """How many files the known users' early answers take (0: none are written)."""
    return 0 if n_users > EARLY_MAX_USERS else -(-n_users // EARLY_USERS_PER_FILE)


def early_answers(recommender: Recommender) -> dict[int, dict[int, list[dict]]]:
    """Per file number, each known user's answer without a favourite (computed by the same
    scoring core as the browser's): user u is in file ``u % early_file_count``."""
    user_ids = recommender.model.user_ids.tolist()
    count = early_file_count(len(user_ids))
    files: dict[int, dict[int, list[dict]]] = {}
    if count == 0:
        return files  # too many users: their files would outweigh the site
    # one BLAS thread: each answer's product is one small matrix-vector product, and OpenBLAS's
    # waking threads cost more than they save (ml-latest-small's 610 users: 1.6 s, not 5.6 s,
    # on 2 cores; more when the other core is busy)
    with threadpool_limits(1, "blas"):
        for user_id in user_ids:
            answer = early_answer(recommender.for_user(user_id))
            files.setdefault(user_id % count, {})[user_id] = answer
    return files
