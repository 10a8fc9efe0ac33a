"""Two studies of the answer's controls (issue 23, items 3 and 4), on each user's latest ratings.

Per user, the latest ``test_fraction`` of ratings by timestamp is held out; relevant = held-out
ratings of 4 or more; the model is trained on the rest, as the ranking study's is.

- Watch together (``together_study``): random pairs of users. For each pair, NDCG@10 against
  each one's held-out likes of the pair's list (the first as a known user, the second's training
  ratings folded in, as a shared link brings them), of each one's own list, and of the other's
  list, under each rule from the plain average (misery 0) to least misery (1). The worse-off
  person's NDCG, averaged over the pairs, says whether the list is one neither would hate.
- Hidden movies as a negative signal (``hidden_study``): a user hides two picks of their top 10
  that they did not go on to like (the top two such, or two at random among them); NDCG@10 of
  the list that follows, when the hidden movies are only left out, and when they also count
  against the movies like them (the site's rule): known users, and visitors who gave their
  latest five training ratings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from staticrec.evaluation.metrics import ranking_metrics
from staticrec.evaluation.protocol import relevant_items, temporal_split
from staticrec.pipeline.collab import SVDParams
from staticrec.pipeline.content import ContentConfig
from staticrec.pipeline.data import MovieLens
from staticrec.pipeline.train import train_recommender
from staticrec.scoring import Recommender, ScoringConfig


def trained(ml: MovieLens, test_fraction: float = 0.2, relevance: float = 4.0):
    """(recommender trained on each user's earlier ratings, the training ratings, per user the
    held-out movies they liked, per user the held-out movies they rated ``DISLIKED`` or less)."""
    train, test = temporal_split(ml.ratings, test_fraction)
    model = train_recommender(ml, train, SVDParams(), ContentConfig()).model
    low = test[test["rating"] <= DISLIKED]
    disliked = {int(u): set(g["movieId"].astype(int)) for u, g in low.groupby("userId")}
    return Recommender(model), train, relevant_items(test, relevance), disliked


DISLIKED = 2.0
"""A held-out rating at or below this is a movie the person would not have wanted."""


def ndcg(recommender: Recommender, lists: Mapping[int, list[int]], relevant) -> float:
    """Mean NDCG@10 of ``lists`` (userId or pair -> movieIds) against ``relevant`` (same keys)."""
    ranks = dict.fromkeys(recommender.model.item_ids.tolist(), 1)  # novelty is not reported
    return ranking_metrics(lists, relevant, ranks, recommender.model.n_items, 10)["ndcg"]


def together_study(
    recommender: Recommender,
    train: pd.DataFrame,
    relevant: Mapping[int, set[int]],
    disliked: Mapping[int, set[int]],
    pairs: int = 300,
    miseries: Iterable[float] = (0.0, 0.25, 0.5, 1.0),
    seed: int = 0,
) -> pd.DataFrame:
    """Over ``pairs`` random pairs of users with held-out likes, per list: mean NDCG@10 for
    the first person (a), the second (b), both, and the worse-off of the two; and how many of
    its ten movies either of them rated ``DISLIKED`` or less in their held-out ratings."""
    users = np.array(sorted(u for u, liked in relevant.items() if liked))
    rng = np.random.default_rng(seed)
    chosen = [tuple(rng.choice(users, 2, replace=False).tolist()) for _ in range(pairs)]
    ratings = {
        int(u): dict(zip(g["movieId"].astype(int), g["rating"].astype(float), strict=True))
        for u, g in train[train["userId"].isin(users)].groupby("userId")
    }
    own = {u: _ids(recommender.for_user(u)) for pair in chosen for u in pair}
    lists: dict[str, dict[tuple, list[int]]] = {
        "a's own list": {p: own[p[0]] for p in chosen},
        "b's own list": {p: own[p[1]] for p in chosen},
    }
    for misery in miseries:
        config = replace(recommender.config, together_misery=misery)
        pair_recommender = Recommender(recommender.model, config)
        name = f"together, misery {misery:g}" + {0.0: " (average)", 1.0: " (least misery)"}.get(
            misery, ""
        )
        lists[name] = {
            p: _ids(pair_recommender.for_user(p[0], together=ratings[p[1]])) for p in chosen
        }
    rows = []
    for name, by_pair in lists.items():
        for_a = _per_pair(recommender, by_pair, {p: relevant[p[0]] for p in chosen})
        for_b = _per_pair(recommender, by_pair, {p: relevant[p[1]] for p in chosen})
        worse = float(np.mean(np.minimum(for_a, for_b)))
        hated = [
            len(set(items) & (disliked.get(p[0], set()) | disliked.get(p[1], set())))
            for p, items in by_pair.items()
        ]
        rows.append(
            {
                "list": name,
                "ndcg_a": float(np.mean(for_a)),
                "ndcg_b": float(np.mean(for_b)),
                "ndcg_mean": float(np.mean((for_a + for_b) / 2)),
                "ndcg_worse_off": worse,
                "disliked_per_100": 10 * float(np.mean(hated)),
                "pairs": len(chosen),
            }
        )
    return pd.DataFrame(rows)


def _per_pair(recommender, by_pair, relevant) -> np.ndarray:
    """NDCG@10 of each pair's list, pair by pair."""
    return np.array(
        [ndcg(recommender, {0: items}, {0: relevant[p]}) for p, items in by_pair.items()]
    )


def hidden_study(
    recommender: Recommender,
    train: pd.DataFrame,
    relevant: Mapping[int, set[int]],
    users: int = 400,
    seed: int = 0,
    settings: Iterable[tuple[float, float, bool]] = (
        (2.5, 0.5, False),
        (2.0, 0.5, False),
        (1.0, 0.5, False),
        (2.0, 0.5, True),
        (1.0, 0.5, True),
    ),
) -> pd.DataFrame:
    """Mean NDCG@10 after two picks are hidden, left out only or also counted against their
    kind (``settings``: each (hidden_rating, hidden_content_penalty, hidden_lifted_only) tried),
    for known users and for visitors of five ratings."""
    rng = np.random.default_rng(seed)
    eligible = np.array(sorted(u for u, liked in relevant.items() if liked))
    sample = rng.choice(eligible, min(users, len(eligible)), replace=False).tolist()
    latest = train.sort_values(["userId", "timestamp"], kind="stable").groupby("userId").tail(5)
    visitors = {
        int(u): dict(zip(g["movieId"].astype(int), g["rating"].astype(float), strict=True))
        for u, g in latest[latest["userId"].isin(sample)].groupby("userId")
    }
    # the hidden rows and content weighing nothing (left out only), then each rule tried
    site = recommender
    config = recommender.config
    neutral = Recommender(
        recommender.model,
        replace(config, hidden_rating=config.collab_rating_offset or 2.5, hidden_content_penalty=0),
    )
    rules = {
        f"rating {rating:g}{', lifted only' if lifted else ''}, content -{penalty:g}": Recommender(
            recommender.model,
            replace(
                config,
                hidden_rating=rating,
                hidden_content_penalty=penalty,
                hidden_lifted_only=lifted,
            ),
        )
        for rating, penalty, lifted in settings
    }
    rows = []
    for who in ("known user", "visitor, 5 ratings"):

        def answer(r: Recommender, user: int, hidden: list[int], who: str = who) -> list[int]:
            if who == "known user":
                return _ids(r.for_user(user, hidden=hidden))
            return _ids(r.for_visitor(visitors[user], hidden=hidden))

        before = {u: answer(site, u, []) for u in sample}
        for how in ("top two not liked", "two at random, not liked"):
            hides = {}
            for u in sample:
                unliked = [m for m in before[u] if m not in relevant[u]]
                if how.startswith("top"):
                    hides[u] = unliked[:2]
                else:
                    hides[u] = rng.choice(unliked, min(2, len(unliked)), replace=False).tolist()
            wanted = {u: relevant[u] for u in sample}
            row = {
                "who": who,
                "hidden": how,
                "before": ndcg(site, before, wanted),
                "left out": ndcg(site, {u: answer(neutral, u, hides[u]) for u in sample}, wanted),
            }
            for name, rule in rules.items():
                lists = {u: answer(rule, u, hides[u]) for u in sample}
                row[name] = ndcg(site, lists, wanted)
            rows.append({**row, "users": len(sample)})
    return pd.DataFrame(rows)


def _ids(answer) -> list[int]:
    return [item.movie_id for item in answer.hybrid]


def run(ml: MovieLens, pairs: int = 300, users: int = 400, seed: int = 0) -> dict:
    """Both studies on ``ml`` (one training): ``{"together": table, "hidden": table}``."""
    recommender, train, relevant, disliked = trained(ml)
    recommender = Recommender(recommender.model, ScoringConfig())
    return {
        "together": together_study(recommender, train, relevant, disliked, pairs, seed=seed),
        "hidden": hidden_study(recommender, train, relevant, users, seed=seed),
    }
