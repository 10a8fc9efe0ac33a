"""The whole build: artifacts, manifest, determinism, and output left untouched on failure."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jinja2
import numpy as np
import pyarrow.parquet as pq
import pytest

from datasets import BOOK_OPTIONS, TINY_RATINGS, books_dataset, make_release_zip, write_dataset
from staticrec.cli import main
from staticrec.pipeline import export
from staticrec.pipeline.artifacts import read_table
from staticrec.pipeline.run import BuildConfig, run
from staticrec.pipeline.train import factor_precision
from staticrec.scoring import schema
from staticrec.site.config import SiteConfig


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under folder: sha256 and mtime, to prove nothing changed."""
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_artifacts_have_the_contracted_columns(built):
    tables = json.loads((built / "manifest.json").read_text())["tables"]
    columns = {name: read_table(built, name).column_names for name in tables}
    assert columns["items"] == [
        "movieId",
        "title",
        "year",
        "genres",
        "n_ratings",
        "mean_rating",
        "imdbId",
        "tmdbId",
    ]
    assert columns["item_factors"] == ["movieId", "bi"] + [f"f{j}" for j in range(50)]
    assert columns["user_factors"] == ["userId", "bu"] + [f"f{j}" for j in range(50)]
    assert columns["user_ratings"] == ["userId", "movieId", "rating", "from_end"]
    assert columns["content_neighbors"] == ["movieId", "neighborId", "rank", "similarity"]
    assert columns["collab_neighbors"] == ["movieId", "neighborId", "rank", "weight"]
    # ml-latest-small's movie factors pass the 1 MB of float32 past which they go int8
    factors = pq.read_schema(built / "item_factors.parquet")
    assert str(factors.field("f0").type) == "int8" and str(factors.field("movieId").type) == "int32"


@pytest.mark.slow  # both whole builds, one of them on Spark
@pytest.mark.parametrize("trainer", ["built", "spark_built"])
def test_every_table_is_written_as_the_schema_declares_it(request, trainer):
    """Columns, order, Parquet types and sort keys of the files match staticrec.scoring.schema,
    and the manifest carries the same declaration for the browser: whichever trainer made the
    factors (Surprise or Spark)."""
    built = request.getfixturevalue(trainer)
    manifest = json.loads((built / "manifest.json").read_text())
    physical = {
        "int8": "int8",
        "int16": "int16",
        "int32": "int32",
        "float16": "halffloat",
        "float32": "float",
        "string": "string",
    }
    compact = set(manifest.get("factor_scales", {})) | {"item_factors"}
    written = {p.stem for p in built.glob("*.parquet")} | {
        p.name for p in built.iterdir() if p.is_dir()
    }
    assert set(manifest["tables"]) == written
    for name, entry in manifest["tables"].items():
        spec = schema.TABLES[name]
        table = read_table(built, name)
        columns = spec.expanded(manifest["n_factors"])
        # the movie factors may be stored compact (float16, or int8 with scales in the
        # manifest): the manifest says which, column by column, and the file follows it
        declared = {c["name"]: c["dtype"] for c in entry["columns"]}
        for c in columns:
            factor = name in compact and c.name.startswith("f") and c.name[1:].isdigit()
            assert declared[c.name] == c.dtype or (
                factor and declared[c.name] in ("int8", "float16")
            )
        assert table.column_names == [c.name for c in columns]
        assert [str(f.type) for f in table.schema] == [physical[declared[c.name]] for c in columns]
        for column, field in zip(columns, table.schema, strict=True):
            assert column.nullable or not field.nullable, (name, column.name)
        assert entry["columns"] == [
            {"name": c.name, "dtype": declared[c.name], "nullable": c.nullable} for c in columns
        ]
        assert entry["browser"] == spec.browser
        # sorted by the sort key: a whole table, or each shard of a table sharded by movie
        files = [s["file"] for s in entry["shards"]] if spec.shard_order == "popularity" else []
        for part in [pq.read_table(built / f) for f in files] or [table]:
            keys = part.select(list(spec.sort_key)).to_pandas()
            assert keys.apply(tuple, axis=1).is_monotonic_increasing, name
    items = manifest["tables"]["items"]
    # year and imdbId: what a visitor's Letterboxd or IMDb export is matched against; year and
    # genres: what the answer's filters keep to (schema 5)
    assert items["scoring_columns"] == [
        "movieId",
        "title",
        "year",
        "genres",
        "n_ratings",
        "mean_rating",
        "imdbId",
    ]


def test_artifact_rows_are_sorted_and_complete(built):
    items = pq.read_table(built / "items.parquet").to_pandas()
    assert items["movieId"].is_monotonic_increasing and len(items) == 9_742
    toy = items.set_index("movieId").loc[1]
    assert (toy["title"], toy["year"], toy["imdbId"], toy["tmdbId"]) == (
        "Toy Story (1995)",
        1995,
        114709,
        862,
    )
    assert toy["n_ratings"] == 215
    neighbors = read_table(built, "content_neighbors").to_pandas()
    assert neighbors.groupby("movieId").size().max() == 50
    assert (
        neighbors.groupby("movieId")["rank"].apply(lambda r: list(r) == list(range(1, len(r) + 1)))
    ).all()
    ratings = read_table(built, "user_ratings").to_pandas()
    assert len(ratings) == 100_836
    assert ratings[["userId", "movieId"]].apply(tuple, axis=1).is_monotonic_increasing


def test_manifest_lists_params_metrics_and_every_file(built):
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["schema_version"] == 5
    assert manifest["dataset"]["name"] == "ml-latest-small"
    assert manifest["dataset"]["rows"]["ratings"] == 100_836
    assert manifest["n_factors"] == 50 and manifest["rating_scale"] == [0.5, 5.0]
    assert manifest["global_mean"] == pytest.approx(3.50156, abs=1e-5)
    assert manifest["params"]["svd"]["reg_all"] == 0.09  # staticrec's tuned default
    assert manifest["params"]["content"]["vocabulary_size"] == 19
    assert 0.8 < manifest["metrics"]["holdout"]["rmse"] < 0.95
    listed = set(manifest["files"])
    assert listed == {p.relative_to(built).as_posix() for p in built.rglob("*.parquet")}
    for name, entry in manifest["files"].items():
        data = (built / name).read_bytes()
        assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_two_builds_are_byte_identical(built, ml_small_dir, tmp_path):
    again = tmp_path / "again"
    run(BuildConfig(data_dir=ml_small_dir, artifacts_dir=again, site=None))
    assert snapshot_hashes(again) == snapshot_hashes(built)


def snapshot_hashes(folder):
    return {name: sha for name, (sha, _) in snapshot(folder).items()}


def cli_build(tmp_path, data, *extra, site_dir=None) -> int:
    """``staticrec build`` into tmp_path/artifacts and tmp_path/site (Pyodide from the CDN)."""
    site_dir = site_dir or tmp_path / "site"
    return main(
        [
            "build",
            "--quiet",
            "--data-dir",
            str(data),
            "--artifacts-dir",
            str(tmp_path / "artifacts"),
            "--site-dir",
            str(site_dir),
            "--pyodide",
            "cdn",
            *extra,
        ]
    )


def test_bad_input_exits_non_zero_and_leaves_output_untouched(tmp_path, capsys):
    assert cli_build(tmp_path, write_dataset(tmp_path / "good"), "--n-factors", "2") == 0
    before = snapshot(tmp_path / "artifacts"), snapshot(tmp_path / "site")
    assert len(before[1]) > 10
    bad = write_dataset(tmp_path / "bad", ratings=TINY_RATINGS.replace("1,2,3.5,", "1,2,abc,"))
    capsys.readouterr()
    assert cli_build(tmp_path, bad) == 1
    err = capsys.readouterr().err
    assert "ratings.csv, line 3, column 'rating': 'abc' is not a number" in err
    assert (snapshot(tmp_path / "artifacts"), snapshot(tmp_path / "site")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["artifacts", "bad", "good", "site"]


def fail_on_third_call(monkeypatch, module, name, interruption):
    original = getattr(module, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:  # earlier calls have already written into the staging folder
            raise interruption
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


@pytest.mark.parametrize("interruption", [RuntimeError("disk full"), KeyboardInterrupt()])
@pytest.mark.parametrize("stage", ["export", "site"])
def test_failure_mid_build_leaves_previous_output(tmp_path, monkeypatch, interruption, stage):
    data = write_dataset(tmp_path / "data")
    config = BuildConfig(
        data_dir=data,
        artifacts_dir=tmp_path / "artifacts",
        site=SiteConfig(site_dir=tmp_path / "site", pyodide="cdn"),
    )
    run(config)
    before = snapshot(tmp_path / "artifacts"), snapshot(tmp_path / "site")
    if stage == "export":
        fail_on_third_call(monkeypatch, export, "write_parquet", interruption)
    else:
        fail_on_third_call(monkeypatch, jinja2.Template, "render", interruption)
    with pytest.raises(type(interruption)):
        run(config)
    assert (snapshot(tmp_path / "artifacts"), snapshot(tmp_path / "site")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["artifacts", "data", "site"]


def test_build_command_prints_a_summary(tmp_path, capsys):
    data = write_dataset(tmp_path / "data")
    assert cli_build(tmp_path, data, "--n-factors", "3", "--top-k", "2") == 0
    out = capsys.readouterr().out
    assert "loaded   7 ratings by 3 users on 5 of 5 movies" in out
    assert "holdout  RMSE" in out and "items.parquet" in out
    assert "site     " in out and "seconds  runtime" in out
    manifest = json.loads((tmp_path / "artifacts" / "manifest.json").read_text())
    assert manifest["n_factors"] == 3 and manifest["params"]["content"]["top_k"] == 2


def test_tuned_build_keeps_the_results_table(tmp_path, monkeypatch):
    from staticrec.pipeline.tuning import TuningConfig

    data = write_dataset(tmp_path / "data")
    config = BuildConfig(
        data_dir=data,
        artifacts_dir=tmp_path / "a",
        site=None,
        tuning=TuningConfig(grid={"n_factors": (2, 4)}, folds=2, n_jobs=1, progress=False),
    )
    summary = run(config)
    table = pq.read_table(tmp_path / "a" / "tuning.parquet").to_pandas()
    assert len(table) == 2 and "mean_test_rmse" in table.columns
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["metrics"]["cv"]["folds"] == 2
    assert manifest["params"]["svd"]["n_factors"] == table.iloc[0]["param_n_factors"]
    assert "cv" in summary.metrics


@pytest.mark.slow  # builds the whole of ml-latest-small
def test_download_path_through_the_command(tmp_path, ml_small_dir, http_server, capsys):
    base_url, www, requests = http_server
    make_release_zip(ml_small_dir, www / "ml-latest-small.zip")
    code = main(
        [
            "build",
            "--quiet",
            "--no-site",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--download-url",
            base_url,
            "--artifacts-dir",
            str(tmp_path / "a"),
            "--n-epochs",
            "1",
        ]
    )
    assert code == 0
    assert requests == ["/ml-latest-small.zip"]
    assert "100,836 ratings" in capsys.readouterr().out
    assert (tmp_path / "cache" / "ml-latest-small" / "ratings.csv").is_file()


@pytest.mark.slow  # builds and evaluates ml-latest-small
def test_build_with_evaluation_adds_a_report(tmp_path, ml_small_dir):
    from staticrec.evaluation.protocol import EvaluationConfig
    from staticrec.evaluation.run import for_build

    config = BuildConfig(
        data_dir=ml_small_dir,
        artifacts_dir=tmp_path / "artifacts",
        report_dir=tmp_path / "report",
        site=SiteConfig(site_dir=tmp_path / "site", pyodide="cdn"),
        evaluate=for_build(EvaluationConfig.quick()),
    )
    summary = run(config)
    manifest = json.loads((tmp_path / "artifacts" / "manifest.json").read_text())
    assert manifest["metrics"]["evaluation"]["users_evaluated"] == 120
    assert "evaluate best NDCG@10" in "\n".join(summary.lines())
    page = (tmp_path / "site" / "report" / "index.html").read_text()
    assert "How good are these recommendations?" in page
    for svg in (
        "tuning-heatmap.svg",
        "ranking-ndcg.svg",
        "rating-distribution.svg",
        "cold-start.svg",
    ):
        assert (tmp_path / "site" / "report" / svg).is_file()
        assert f'src="{svg}"' in page
    assert (tmp_path / "report" / "report.md").is_file()
    assert 'href="../report/"' in (tmp_path / "site" / "about" / "index.html").read_text()


@pytest.mark.parametrize("site_dir", ["artifacts", "artifacts/site", "."])
def test_overlapping_output_folders_are_refused(tmp_path, site_dir, capsys):
    code = cli_build(tmp_path, write_dataset(tmp_path / "data"), site_dir=tmp_path / site_dir)
    assert code == 1
    assert "overlaps" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_user_tables_are_sharded_by_whole_users(built):
    """Consecutive users, a shard closing once it holds USER_SHARD_ROWS ratings, no user
    split; both user tables in the same ranges, which cover every user."""
    manifest = json.loads((built / "manifest.json").read_text())
    ratings_shards = manifest["tables"]["user_ratings"]["shards"]
    assert ratings_shards == [
        {**s, "file": s["file"].replace("user_factors", "user_ratings")}
        for s in manifest["tables"]["user_factors"]["shards"]
    ]
    assert len(ratings_shards) == 2  # 100,836 ratings: users starting before 50,000, then the rest
    for number, shard in enumerate(ratings_shards):
        rows = pq.read_table(built / shard["file"]).to_pandas()
        assert rows["userId"].between(shard["first"], shard["last"]).all()
        if number + 1 < len(ratings_shards):
            assert ratings_shards[number + 1]["first"] == shard["last"] + 1
            assert len(rows) >= schema.USER_SHARD_ROWS
            assert len(rows) - rows.groupby("userId").size().iloc[-1] < schema.USER_SHARD_ROWS
    all_users = read_table(built, "user_factors")["userId"].to_pylist()
    assert all_users == sorted(all_users) and len(all_users) == 610
    assert ratings_shards[0]["first"] == all_users[0]
    assert ratings_shards[-1]["last"] == all_users[-1]


@pytest.mark.parametrize("table", [t.name for t in schema.MOVIE_TABLES])
def test_neighbor_tables_are_sharded_by_whole_movies_in_popularity_order(built, table):
    """Every row in exactly one shard; a movie's rows all in one; the shards' places run in
    the popularity order (most rated first, then movieId), without overlap; each holds about
    MOVIE_SHARD_ROWS rows, the first those of the most-rated movies."""
    manifest = json.loads((built / "manifest.json").read_text())
    items = pq.read_table(built / "items.parquet").to_pandas()
    by_popularity = items.sort_values(["n_ratings", "movieId"], ascending=[False, True])
    place = dict(zip(by_popularity["movieId"], range(len(items)), strict=True))
    shards = manifest["tables"][table]["shards"]
    assert manifest["tables"][table]["shard_order"] == "popularity"
    seen, last = [], -1
    for number, shard in enumerate(shards):
        rows = pq.read_table(built / shard["file"]).to_pandas()
        places = rows["movieId"].map(place)
        assert places.min() == shard["first"] > last and places.max() == shard["last"]
        last = shard["last"]
        if number + 1 < len(shards):  # MOVIE_SHARD_ROWS rows, give or take a movie's
            longest = rows.groupby("movieId").size().max()
            assert abs(len(rows) - schema.MOVIE_SHARD_ROWS) < longest
        seen.append(rows)
    everything = read_table(built, table).to_pandas()
    assert sum(len(rows) for rows in seen) == len(everything)
    shard_of = {m: n for n, rows in enumerate(seen) for m in rows["movieId"].unique()}
    assert len(shard_of) == everything["movieId"].nunique()  # no movie in two shards
    assert shard_of[by_popularity["movieId"].iloc[0]] == 0


def test_compact_movie_factors_are_declared_so_and_read_back(tiny_dir, tmp_path):
    """float16 and int8 movie factors: the file and the manifest say so; the model reads them
    as the float32 build's, rounded to float16, or to the nearest step of each column's scale
    (the manifest's); the users' factors stay float32."""
    from staticrec.pipeline.artifacts import load_recommender

    built, arrow = {}, {"float32": "float", "float16": "halffloat", "int8": "int8"}
    for precision in ("float32", "float16", "int8"):
        artifacts = tmp_path / precision
        run(
            BuildConfig(
                data_dir=tiny_dir, artifacts_dir=artifacts, site=None, factor_precision=precision
            )
        )
        built[precision] = load_recommender(artifacts).model
        manifest = json.loads((artifacts / "manifest.json").read_text())
        dtypes = {c["name"]: c["dtype"] for c in manifest["tables"]["item_factors"]["columns"]}
        assert (dtypes["f0"], dtypes["bi"]) == (precision, "float32")
        field = pq.read_schema(artifacts / "item_factors.parquet").field("f0")
        assert str(field.type) == arrow[precision]
        assert manifest["params"]["factor_precision"] == precision
        assert ("factor_scales" in manifest) == (precision == "int8")
    full, half, eight = built["float32"], built["float16"], built["int8"]
    np.testing.assert_array_equal(half.item_factors, full.item_factors.astype(np.float16))
    np.testing.assert_array_equal(half.user_factors, full.user_factors)
    scales = json.loads((tmp_path / "int8" / "manifest.json").read_text())["factor_scales"]
    steps = np.asarray(scales["item_factors"])
    np.testing.assert_allclose(steps, np.abs(full.item_factors).max(axis=0) / 127, rtol=1e-6)
    error = np.abs(eight.item_factors - full.item_factors)
    assert np.all(error <= steps / 2 * (1 + 1e-6)) and error.max() > 0
    np.testing.assert_array_equal(eight.user_factors, full.user_factors)


def test_auto_precision_quarters_only_large_movie_factors():
    from staticrec.pipeline.collab import Factors

    def factors(n_items):
        empty = np.zeros(0)
        return Factors(0.0, empty, empty, empty, empty, empty, np.zeros((n_items, 50)))

    assert factor_precision("auto", factors(3_883)) == "float32"  # ml-1m: 0.78 MB
    assert factor_precision("auto", factors(9_724)) == "int8"  # ml-latest-small: 1.94 MB
    assert factor_precision("auto", factors(84_432)) == "int8"  # ml-32m
    assert factor_precision("float32", factors(84_432)) == "float32"


def test_the_tag_genome_joins_the_genres_when_asked_for(tiny_dir, tmp_path, capsys):
    """``--content genres+genome``: Toy Story and Heat share no genre, so only their nearly
    equal genome vectors make them neighbours; the about page says what the model read."""
    from staticrec.pipeline.artifacts import load_recommender

    (tiny_dir / "genome-scores.csv").write_text(
        "movieId,tagId,relevance\n1,1,0.9\n1,2,0.1\n3,1,0.85\n3,2,0.12\n2,1,0.05\n2,2,0.95\n",
        encoding="utf-8",
    )
    similar = {}
    for source in ("genres", "genres+genome"):
        out = tmp_path / source
        options = ["--no-site", "--content", source, "--quiet"]
        code = main(["build", "--data-dir", str(tiny_dir), "--artifacts-dir", str(out), *options])
        assert code == 0
        similar[source] = [m.movie_id for m in load_recommender(out).similar(1)]
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["params"]["content"]["source"] == source
    assert 3 not in similar["genres"] and 3 in similar["genres+genome"]
    assert manifest["params"]["content"]["vocabulary_size"] == 9 + 2  # genre terms, tags
    (tiny_dir / "genome-scores.csv").unlink()
    capsys.readouterr()
    options = ["--no-site", "--content", "genres+genome", "--quiet"]
    code = main(
        ["build", "--data-dir", str(tiny_dir), "--artifacts-dir", str(tmp_path / "x"), *options]
    )
    assert code != 0 and "genome-scores.csv" in capsys.readouterr().err


def test_the_outputs_are_checked_before_any_training(tmp_path, monkeypatch, capsys, tiny_dir):
    """A folder of the user's own is refused at once, not after the models are trained."""

    def never(*args, **kwargs):
        raise AssertionError("trained before checking the output folders")

    monkeypatch.setattr("staticrec.pipeline.collab.train_svd", never)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    args = ["build", "--data-dir", str(tiny_dir), "--artifacts-dir", str(mine), "--no-site"]
    assert main(args) == 1
    assert "holds files staticrec did not write" in capsys.readouterr().err


def test_the_summary_speaks_of_the_sites_noun(tmp_path, capsys):
    books_dataset(tmp_path / "data", n_users=1, n_books=30)
    args = ["build", "--ratings", str(tmp_path / "data" / "ratings.csv"), "--items"]
    args += [str(tmp_path / "data" / "books.csv"), *BOOK_OPTIONS, "--noun", "book"]
    args += ["--artifacts-dir", str(tmp_path / "a"), "--site-dir", str(tmp_path / "site")]
    assert main([*args, "--pyodide", "cdn", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert " by 1 user on " in out and " of 30 books" in out and "movie" not in out
