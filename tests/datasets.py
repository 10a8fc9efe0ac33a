"""Small hand-made MovieLens datasets for tests, and helpers that package them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

TINY_MOVIES = """movieId,title,genres
1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
2,Jumanji (1995),Adventure|Children|Fantasy
3,Heat (1995),Action|Crime|Thriller
4,Blank (2000),(no genres listed)
5,"Comma, The (1999)",Comedy|Sci-Fi
"""
TINY_RATINGS = """userId,movieId,rating,timestamp
1,1,4.0,964982703
1,2,3.5,964981247
1,3,5.0,964982224
2,1,5.0,964983815
2,5,2.0,964982931
3,3,4.5,964982400
3,4,1.0,964982401
"""
TINY_LINKS = """movieId,imdbId,tmdbId
1,0114709,862
2,0113497,8844
3,0113277,949
4,0000001,
5,0000002,5
"""
TINY_TAGS = """userId,movieId,tag,timestamp
1,1,pixar,1445714994
2,1,Pixar,1445714995
1,2,board game,1445714996
"""


def write_dataset(folder: Path, **overrides: str | bytes | None) -> Path:
    """Write the tiny dataset into ``folder``; ``ratings=...`` etc. replace a file's text,
    ``None`` leaves it out."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "movies": TINY_MOVIES,
        "ratings": TINY_RATINGS,
        "links": TINY_LINKS,
        "tags": TINY_TAGS,
    } | overrides
    for stem, text in files.items():
        if text is None:
            continue
        path = folder / f"{stem}.csv"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return folder


def make_release_zip(
    source: Path, target: Path, name: str = "ml-latest-small", skip: tuple[str, ...] = ()
) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(source.iterdir()):
            if path.name not in skip:
                bundle.write(path, f"{name}/{path.name}")
    return target


EVIL_TITLE = "<img src=x onerror=alert(1)>"
"""A title that would run script if a page ever treated titles as markup."""


def evil_dataset(folder: Path) -> Path:
    """The tiny dataset plus movie 9, whose title (and a tag) is an HTML payload."""
    return write_dataset(
        folder,
        movies=TINY_MOVIES + f'9,"{EVIL_TITLE}",Comedy|Animation\n',
        ratings=TINY_RATINGS + "1,9,4.0,964982800\n2,9,3.0,964982801\n",
        links=TINY_LINKS + "9,0000009,9\n",
        tags=TINY_TAGS + f'1,9,"{EVIL_TITLE}",1445714999\n',
    )


BOOK_SHELVES = ["fantasy", "mystery", "romance", "history", "science", "poetry"]


def books_dataset(folder: Path, n_users: int = 80, n_books: int = 60, seed: int = 7) -> Path:
    """A non-movie dataset as people export it: books rated 1-10 by readers, columns named
    user_id, book_id, score (no timestamp: the file's order is the time), and books.csv with
    book_id, name and ';'-separated shelves. Readers like one or two shelves, so collaborative
    and content signals both exist."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shelves = [
        sorted(rng.choice(len(BOOK_SHELVES), rng.integers(1, 3), replace=False))
        for _ in range(n_books)
    ]
    with (folder / "books.csv").open("w", encoding="utf-8") as out:
        out.write("book_id,name,shelves\n")
        for book, shelf in enumerate(shelves, 1):
            names = ";".join(BOOK_SHELVES[s] for s in shelf)
            out.write(f'{book},"The {BOOK_SHELVES[shelf[0]].title()} Book {book}",{names}\n')
    with (folder / "ratings.csv").open("w", encoding="utf-8") as out:
        out.write("user_id,book_id,score\n")
        for user in range(1, n_users + 1):
            liked = set(rng.choice(len(BOOK_SHELVES), 2, replace=False).tolist())
            for book in rng.choice(n_books, rng.integers(8, 25), replace=False):
                fits = bool(liked & set(shelves[book]))
                score = int(np.clip(rng.normal(8 if fits else 4, 1.5), 1, 10))
                out.write(f"{user},{book + 1},{score}\n")
    return folder


BOOK_OPTIONS = [
    "--user-column", "user_id", "--item-column", "book_id", "--rating-column", "score",
    "--timestamp-column", "none", "--title-column", "name", "--categories-column", "shelves",
    "--categories-separator", ";", "--rating-scale", "1", "10", "--name", "Readers' books",
]  # fmt: skip
"""`staticrec build` options that read books_dataset."""
