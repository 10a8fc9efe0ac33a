"""How answers are computed: the fusions and weights the evaluation chose, in one config."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from staticrec.scoring.fusion import FusionParams


def _user_fusion() -> FusionParams:
    # the item index alone was the best on both protocols' validation splits at once; a named
    # favourite still brings the content list in (FusionParams.favorite_weight). Depth 50 gives
    # the same top 10 as 10 for one list, and the niche control a pool to re-rank. The most-rated
    # list only fills in: at 0.001 / (k + 1) it is below any item-index pick's 1 / (k + 50) and
    # below the gap between two of them, so it counts only where the index has too few movies
    # (a user who rated only movies under the index's ratings floor, a small own dataset)
    return FusionParams(collab_weight=1.0, popular_weight=0.001, depth=50)


def _visitor_fusion() -> FusionParams:
    # the z-score blend `staticrec evaluate` chooses on its validation visitors, scored as an
    # answer shows it (re-ranked at the default niche level)
    return FusionParams(
        method="blend",
        collab_weight=0.05,
        svd_weight=0.4,
        content_weight=0.0,
        popular_weight=0.5,
        favorite_weight=0.25,
    )


MOVIELENS_SCALE = (0.5, 5.0)


def on_scale(value: float, scale: tuple[float, float]) -> float:
    """A rating given on MovieLens's 0.5-5 scale, mapped linearly onto ``scale`` (unchanged on
    MovieLens's own): ``ScoringConfig``'s ratings are written on that scale."""
    (low, high), (ml_low, ml_high) = scale, MOVIELENS_SCALE
    return low + (value - ml_low) * (high - low) / (ml_high - ml_low)


@dataclass(frozen=True)
class ScoringConfig:
    """How answers are computed; the defaults are measured choices (see the README). Ratings
    here are on MovieLens's 0.5-5 scale; other scales map them linearly (``on_scale``)."""

    fusion: FusionParams = field(default_factory=_user_fusion)
    """The fusion for a known user of the dataset (chosen on a validation split)."""
    visitor_fusion: FusionParams = field(default_factory=_visitor_fusion)
    """The fusion for a new visitor (chosen on validation visitors). A handful of ratings
    leaves the collaborative lists unsure; the blend leans on SVD's fold-in and keeps some of
    the most-rated list, whatever the number of ratings (validation found no gain in varying
    the blend with it)."""
    collab_rating_offset: float | None = 2.5
    """How much each rated movie's EASE row counts: ``rating - offset`` (a low rating then
    pushes its neighbours down), or 1 for every rated movie when None (binary, as EASE is
    trained)."""
    collab_recency: float | None = 2.0
    """Recent ratings count more: each row is also weighed by ``exp(-from_end / (h x n))``
    (from_end: how many of the n ratings came later); None weighs them all alike. 2.0, gentle,
    was the best on both protocols' validation splits at once (97% of the latest-ratings
    split's best NDCG@10, 99% of the random split's); 0.5 led on the first alone and lost 12%
    on the second (docs/evaluation.md)."""
    svd_popularity: float = 0.0
    """beta in the SVD list's ``prediction x n_ratings^beta``: SVD trained for RMSE ranks
    movies with a few enthusiastic ratings first; beta > 0 pulls better-known movies up."""
    fold_in_factor_reg: float = 5.0
    """Penalty on a new visitor's vector |pu|^2; high, since a handful of ratings overfit."""
    fold_in_bias_reg: float = 5.0
    """Penalty on a new visitor's bias bu^2."""
    popularity_damping: float = 10.0
    """Pseudo-ratings at the global mean added to each movie's mean for the best-rated list."""
    like_threshold: float = 4.0
    """A visitor's rating at or above this makes the movie a favourite when none is given."""
    hidden_rating: float = 2.0
    """A hidden movie's item-index row counts as a rating of this would (as the latest one):
    people who rated it also rated the movies it pushes down (chosen on held-out ratings:
    docs/evaluation.md, "Controls"; 1.0 lowered NDCG@10 by 0.004 to 0.012)."""
    hidden_lifted_only: bool = True
    """A hidden movie's row only takes away from the movies the rated ones lifted, and never
    below neutral: fewer like it, rather than a verdict on everything people rated with it
    (False: it counts as a rated movie's row does, lowering every movie it reaches)."""
    hidden_content_penalty: float = 0.5
    """A hidden movie's content neighbours lose this share of their similarity to it in the
    content list, so movies like it drop a little without leaving the list."""
    together_misery: float = 1.0
    """How two people's lists are fused (``together``): each person's blend of standardised
    list scores, then ``mean - misery x |difference| / 2``: 0 is their average, 1 the score
    of whichever likes the movie less (least misery). Measured on pairs of held-out users
    (docs/evaluation.md, "Controls"), least misery keeps each person at 57-60% of their own
    list's NDCG@10; the average keeps one at 89% and the other at 43%."""

    def fusion_for(self, mode: str, named_favorite: bool) -> FusionParams:
        """The fusion of one answer: by who asks, and whether they named a favourite."""
        params = self.fusion if mode == "user" else self.visitor_fusion
        if named_favorite and params.content_weight < params.favorite_weight:
            params = replace(params, content_weight=params.favorite_weight)
        return params
