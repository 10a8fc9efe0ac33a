"""The site in a real browser: search, movie pages (with and without JavaScript), For you."""

from __future__ import annotations

import json
import subprocess
import sys

from browsing import list_ids, rate, wait_for_results

from staticrec.scoring.shards import MovieShards

VISITOR_PICKS = [
    ("heat 1995", "Heat (1995)", "5"),
    ("casino", "Casino (1995)", "4.5"),
    ("taxi driver", "Taxi Driver (1976)", "5"),
    ("goodfellas", "Goodfellas (1990)", "5"),
    ("godfather", "Godfather, The (1972)", "4"),
]


def test_search_to_movie_page_to_similar_movies(page, site_url):
    page.goto(site_url)
    page.fill("#search", "toy story")  # enabled once the catalogue is read
    suggestions = page.locator("#search-results li")
    assert suggestions.first.text_content() == "Toy Story (1995)"
    page.press("#search", "Enter")
    page.wait_for_url("**/movie/1/")
    assert page.text_content("h1") == "Toy Story (1995)"
    similar = list_ids(page, "#similar")
    assert len(similar) == 10 and 3114 in similar  # Toy Story 2
    assert "similarity 1.00" in page.locator("#similar li").first.text_content()
    # people who liked it also liked: first on the page, each with how many liked both
    assert page.text_content("#also-liked h2") == "People who liked Toy Story also liked"
    assert len(list_ids(page, "#also-liked")) == 10
    assert "people liked both" in page.locator("#also-liked li").first.text_content()
    page.click("text=Toy Story 2 (1999)")
    page.wait_for_url("**/movie/3114/")


OTHER_SCRIPTS = [
    ("Москва слезам не верит (1979)", "москва слезам"),
    ("שלום חבר (1998)", "שלום"),
    ("千と千尋の神隠し (2001)", "千と千尋"),
    ("بنات وبس (2003)", "بنات"),
    (
        "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "Toy Story Extra"),
        "toy story extra",
    ),  # fullwidth
    ("🎬 Cinema 🍿 (2020)", "🍿"),
    ("Amélie (2001)", "amelie"),
]


def test_search_finds_titles_in_any_script(page, site_url):
    """search.js itself, on a catalogue of titles in other scripts, fullwidth forms and emoji;
    and a 112 KB title, which a backtracking article rule took seconds over, is searched."""
    page.goto(site_url)
    titles = [title for title, _ in OTHER_SCRIPTS] + ["Long, The " * 11_200 + "(1999)"]
    found = page.evaluate(
        """async ([titles, queries]) => {
          const { search } = await import("./assets/search.js");
          const catalog = { titles, ids: titles.map((_, i) => i + 1),
                            counts: titles.map(() => 1), keys: null };
          return queries.map((query) => search(catalog, query).map((i) => titles[i]));
        }""",
        [titles, [query for _, query in OTHER_SCRIPTS] + ["long the 1999"]],
    )
    for (title, query), hits in zip(OTHER_SCRIPTS, found, strict=False):
        assert hits[:1] == [title], query
    assert found[-1] == [titles[-1]]


def test_without_javascript_browse_to_movie_and_similar(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url)
    assert page.is_visible("text=Toy Story (1995)")  # the most-rated list is plain HTML
    page.click("header >> text=Browse A–Z")
    page.click(".letters >> text=T")
    page.click("text=Toy Story (1995)")
    page.wait_for_url("**/movie/1/")
    assert page.text_content("h1") == "Toy Story (1995)"
    assert page.is_visible("text=IMDb")
    assert page.get_attribute("text=IMDb", "href") == "https://www.imdb.com/title/tt0114709/"
    assert len(list_ids(page, "#similar")) == 10 and len(list_ids(page, "#also-liked")) == 10
    assert not page.is_visible("#rate-this")  # needs JavaScript: stays hidden
    context.close()


def recommend_json(artifacts, *args):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "staticrec.cli",
            "recommend",
            "--artifacts-dir",
            str(artifacts),
            "--json",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def test_known_user_matches_the_command_line(page, site_url, ml_build, recommender):
    page.goto(f"{site_url}for-you/?user=105&favorite=1")
    wait_for_results(page)
    shown = list_ids(page, "#hybrid")
    printed = recommend_json(
        ml_build / "artifacts", "--user", "105", "--favorite", "Toy Story (1995)"
    )
    assert shown == [item["movie_id"] for item in printed["hybrid"]]
    assert len(shown) == 10
    rated = recommender.model.item_ids[
        recommender.model.rated_by(recommender.model.user_position(105))[0]
    ]
    assert not set(shown) & set(rated.tolist())
    lists = printed["lists"]
    assert list_ids(page, "#cf-list") == [i["movie_id"] for i in lists["collab"]]
    assert list_ids(page, "#content-list") == [i["movie_id"] for i in lists["content"]]
    first = page.locator("#hybrid li").first.text_content()
    assert " · ".join(printed["hybrid"][0]["why"]) in first and "people who rated" in first
    assert page.evaluate("() => location.search") == "?user=105&favorite=1"


def test_new_visitor_rates_five_movies(page, site_url, recommender):
    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    assert page.get_attribute("#results", "data-mode") == "popular"
    popular = list_ids(page, "#hybrid")
    for answered, (query, title, stars) in enumerate(VISITOR_PICKS, start=2):
        rate(page, query, title, stars)
        wait_for_results(page, answered)
    assert page.get_attribute("#results", "data-mode") == "visitor"
    personal = list_ids(page, "#hybrid")
    assert len(personal) == 10 and personal != popular
    rated = list_ids(page, "#my-ratings")
    assert len(rated) == 5 and not set(rated) & set(personal)
    # the browser's answer is the scoring core's answer (contract 1: same code, same numbers)
    ratings = {recommender.titles.find(title): float(s) for _, title, s in VISITOR_PICKS}
    assert set(ratings) == set(rated)
    assert personal == [i.movie_id for i in recommender.for_visitor(ratings).hybrid]

    page.reload()
    wait_for_results(page)
    assert list_ids(page, "#my-ratings") == rated
    assert list_ids(page, "#hybrid") == personal

    # naming a favourite changes the fused list, and the page says which picks are for it
    page.fill("#favorite-search", "toy story")
    page.locator("#favorite-results li", has_text="Toy Story (1995)").first.click()
    wait_for_results(page, 2)
    with_favourite = list_ids(page, "#hybrid")
    assert with_favourite != personal
    assert with_favourite == [i.movie_id for i in recommender.for_visitor(ratings, [1]).hybrid]
    assert page.locator("#hybrid li", has_text="similar to Toy Story").count() >= 2
    page.click("#clear-favorite")
    wait_for_results(page, 3)
    assert list_ids(page, "#hybrid") == personal

    page.click("#clear-ratings")
    wait_for_results(page, 4)
    assert list_ids(page, "#my-ratings") == []
    assert list_ids(page, "#hybrid") == popular
    page.reload()
    wait_for_results(page)
    assert list_ids(page, "#my-ratings") == []


def test_favourite_from_a_movie_page(page, site_url, recommender):
    page.goto(f"{site_url}movie/1/")
    page.click("text=Recommend movies like this for me")
    page.wait_for_url("**/for-you/?favorite=1")
    wait_for_results(page)
    assert list_ids(page, "#content-list")[:3] == [
        i.movie_id for i in recommender.for_visitor({}, [1]).lists["content"][:3]
    ]
    assert "Toy Story (1995)" in page.text_content("#content-from")


def test_rating_on_a_movie_page_reaches_for_you(page, site_url):
    page.goto(f"{site_url}movie/6/")
    stars = page.locator("#my-rating[role=radiogroup]")
    assert stars.get_attribute("aria-label") == "Your rating of Heat (1995)"
    stars.locator("[role=radio][aria-label='4.5 stars']").click()
    assert "Saved" in page.text_content("#rate-status")
    assert stars.get_attribute("data-value") == "4.5"
    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    assert list_ids(page, "#my-ratings") == [6]


def test_unknown_user_is_a_visible_message(page, site_url):
    page.goto(f"{site_url}for-you/?user=99999")
    deadline_text = None
    for _ in range(600):
        deadline_text = page.text_content("#error")
        if deadline_text:
            break
        page.wait_for_timeout(100)
    assert "Unknown userId 99999" in deadline_text
    assert page.is_visible("#error")


def test_start_up_is_marked_for_measurement(page, site_url):
    """The page and the worker mark their start-up stages (performance.mark), in order."""
    page.goto(f"{site_url}for-you/?user=105")
    wait_for_results(page)
    marks = page.evaluate(
        "() => Object.fromEntries(performance.getEntriesByType('mark')"
        ".map(m => [m.name, m.startTime]))"
    )
    order = ["worker-start", "download", "packages", "ready", "first-result"]
    times = [marks[f"staticrec:{name}"] for name in order]
    assert times == sorted(times)
    boot = json.loads(page.evaluate("() => document.body.dataset.bootTimings"))
    # Python starts once the scripts it imports are checked, while the rest streams in
    assert set(boot) == {
        "scripts-checked", "python", "runtime-checked", "packages", "numpy", "import", "data",
        "model",
    }  # fmt: skip
    for chain in (
        ["scripts-checked", "python", "packages", "numpy", "import", "model"],
        ["runtime-checked", "packages"],
        ["data", "model"],
    ):
        assert [boot[name] for name in chain] == sorted(boot[name] for name in chain), chain


def test_for_you_fetches_only_the_shard_of_the_user_asked_for(
    page, site_url, ml_build, recommender
):
    """A visitor downloads nobody's ratings; a known user, the one shard (of user_factors and
    user_ratings) that holds them; a user of another shard, that shard, once. The neighbour
    shards fetched are those holding the rows the answers read, each once."""
    fetched: list[str] = []
    page.on("requestfinished", lambda r: fetched.append(r.url.split("/data/")[-1]))
    manifest = json.loads((ml_build / "site" / "data" / "manifest.json").read_text())
    shards = manifest["tables"]
    first, second = shards["user_ratings"]["shards"][:2]

    def user_files():
        return sorted(f for f in fetched if f.startswith("user_"))

    def neighbor_files():
        return sorted(f for f in fetched if "_neighbors/" in f)

    page.goto(f"{site_url}for-you/")
    wait_for_results(page)
    assert user_files() == [] and neighbor_files() == []  # no ratings: the most-rated list
    page.click("#tab-user")
    for answered, (user, shard) in enumerate([(1, first), (second["last"], second)], start=2):
        page.fill("#user-id", str(user))
        page.locator("#user-form button[type=submit]").click()
        wait_for_results(page, answered=answered)
        assert list_ids(page, "#hybrid") == [i.movie_id for i in recommender.for_user(user).hybrid]
        number = shard["file"].split("/")[1]
        assert f"user_ratings/{number}" in user_files() and f"user_factors/{number}" in user_files()
    assert len(user_files()) == 4  # two shards, each once
    ranges = MovieShards.from_manifest(manifest)
    read = [recommender.rows_read(user) for user in (1, second["last"])]
    expected = {
        f"{table}/{number}.parquet"
        for rows in read
        for table, numbers in ranges.missing(
            {t: recommender.popularity_rank[at] for t, at in rows.items()}
        ).items()
        for number in numbers
    }
    assert neighbor_files() == sorted(expected)
