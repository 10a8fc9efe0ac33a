"""Watch together: one list for two people, that neither would hate.

Each person's request is scored as their own answer would be (their rated movies, their
favourites, the hidden movies and filters of the request), then reduced to one score per movie:
the blend of their lists' standardised scores under the weights of their own fusion, itself
standardised. The pair's score is

    mean(z_a, z_b) - misery x |z_a - z_b| / 2

(``ScoringConfig.together_misery``): at 1, the score of whichever likes the movie less (least
misery, Masthoff's rule for group recommendation), so a movie one of them would dislike stays
out however much the other would like it; at 0, their plain average. The measurement behind
the default is ``staticrec.evaluation.controls`` (docs/evaluation.md, "Controls").
"""

from __future__ import annotations

import numpy as np

from staticrec.scoring.answer import Answer, Item, maybe
from staticrec.scoring.assemble import Explainer, make_item
from staticrec.scoring.fusion import standardize
from staticrec.scoring.ranking import top_n
from staticrec.scoring.requests import Request, seen_mask
from staticrec.scoring.titles import short_title


def person_scores(recommender, request: Request, scores) -> np.ndarray:
    """One person's standardised score for every movie the model knows (0 elsewhere).
    (``recommender``: the Recommender answering, here and below; not imported, since it
    imports this module.)"""
    params = recommender.fusion_of(request)
    total = recommender.blend(scores, params)
    known = recommender.known_movies
    z = np.zeros(len(total))
    standardized = standardize(total, known)  # np.std's arithmetic, in fewer calls
    if standardized is not None:
        centered, spread = standardized
        z[known] = centered / spread
    return z


def joint_scores(first: np.ndarray, second: np.ndarray, misery: float) -> np.ndarray:
    """The pair's score per movie: their mean, less ``misery`` x half their difference."""
    return (first + second) / 2 - misery * np.abs(first - second) / 2


def together_answer(recommender, first: Request, second: Request, ignored: list[int]) -> Answer:
    """One list for two people (``first`` the one asking, ``second`` the one whose ratings
    came with a shared link): ``n`` movies neither has rated, each saying why for each."""
    model = recommender.model
    people = []
    for request in (first, second):
        added = recommender.contributions(request)
        scores = recommender.list_scores(request, added)
        people.append((request, added, scores, person_scores(recommender, request, scores)))
    joint = joint_scores(people[0][3], people[1][3], recommender.config.together_misery)
    joint[~recommender.known_movies] = -np.inf
    exclude = seen_mask(model, first) | seen_mask(model, second)
    n = recommender.fusion_of(first).n
    top = top_n(joint, n, exclude=exclude, tie_rank=recommender.popularity_rank)
    explained = [Explainer(model, r, a, s, top) for r, a, s, _ in people]
    hybrid = [
        _item(recommender, explained, p, score)
        for p, score in zip(top.tolist(), joint[top].tolist(), strict=True)
    ]
    return Answer(
        mode="together",
        hybrid=hybrid,
        lists={},
        favorites=[make_item(model, p) for p in first.favorites.tolist()],
        ignored=ignored,
    )


def _item(
    recommender,
    explained: list[Explainer],
    position: int,
    score: float,
) -> Item:
    """A pick of the pair's list: the reasons of each person, and one short reason for both."""
    you, them = explained
    model = recommender.model
    why = []
    for who, person in (("you", you), ("them", them)):
        source, like = person.collab_source[position], person.content_source[position]
        if source >= 0:
            why.append(f"for {who}: people who rated {_title(model, source)} also rated it")
        if like >= 0:
            why.append(f"for {who}: similar to {_title(model, like)}")
    predicted = [person.predicted(position) for person in explained]
    if None not in predicted:
        why.append(f"predicted {predicted[0]:.1f}★ for you, {predicted[1]:.1f}★ for them")
    label_depth = recommender.fusion_of(you.request).label_depth
    popular = int(recommender.popularity_rank[position]) < label_depth
    if popular:
        count = int(model.n_ratings[position])
        why.append(f"one of the most rated ({count:,} rating{'' if count == 1 else 's'})")
    return make_item(
        model,
        position,
        score=maybe(score),
        predicted_rating=predicted[0],
        similarity=maybe(you.similarity[position]),
        why=why,
        reason=_reason(model, you, them, position, popular),
    )


def _reason(model, you: Explainer, them: Explainer, position: int, popular: bool) -> str:
    """One short reason for the pair: what each rated that brought it, else what it is like."""
    mine, theirs = you.collab_source[position], them.collab_source[position]
    if mine >= 0 and theirs >= 0:
        if mine == theirs:
            return f"Because you both liked {_title(model, mine)}"
        return f"Because you liked {_title(model, mine)} and they liked {_title(model, theirs)}"
    if mine >= 0:
        return f"Because you liked {_title(model, mine)}"
    if theirs >= 0:
        return f"Because they liked {_title(model, theirs)}"
    for person in (you, them):
        if person.content_source[position] >= 0:
            return f"Like {_title(model, person.content_source[position])}"
    return "One of the most rated" if popular else "Picked for you both"


def _title(model, position: int) -> str:
    return short_title(model.titles[position])
