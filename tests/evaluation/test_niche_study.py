"""The niche study's own dense EASE route against the peers' (two implementations, one answer)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from staticrec.evaluation import peers
from staticrec.evaluation.niche_study import dense_ease


def test_dense_ease_from_profiles_equals_the_peer_on_the_training_users():
    rng = np.random.default_rng(3)
    rows = [(u, m) for u in range(40) for m in range(30) if rng.random() < 0.25 + 0.02 * (m % 5)]
    train = pd.DataFrame(rows, columns=["userId", "movieId"]).assign(rating=4.0, timestamp=0)
    profiles = {u: set(g["movieId"]) for u, g in train.groupby("userId")}
    got = dense_ease(train, profiles, 5.0)
    expected = peers.dense_ease_lists(train, sorted(profiles), 5.0, 10)
    for user, items in expected.items():
        assert got[user][:3] == items[:3]  # ties deeper down may part on float sums' order
        assert not set(got[user]) & profiles[user]
