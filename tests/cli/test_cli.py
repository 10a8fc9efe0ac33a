"""The command line: every command documented with an example; recommend prints the why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from staticrec.cli import main, make_parser

REPO = Path(__file__).resolve().parents[2]


def subcommands():
    parser = make_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_command_has_help_and_an_example(name):
    sub = subcommands()[name]
    assert sub.description
    assert "example" in (sub.epilog or "")
    help_text = sub.format_help()
    for action in sub._actions:
        if action.option_strings and action.dest != "help":
            assert action.help, f"{name} {action.option_strings} has no help"
    assert name in help_text


def test_recommend_prints_the_hybrid_with_why(cut_built, capsys):
    code = main(
        [
            "recommend",
            "--artifacts-dir",
            str(cut_built),
            "--user",
            "105",
            "--favorite",
            "Toy Story (1995)",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "mode: user; content list from: Toy Story (1995)"
    rows = [line for line in lines if line[:2].strip().isdigit()]
    assert len(rows) == 10
    assert all(row.endswith(")") for row in rows)  # one short reason each, in plain words
    assert any(row.endswith("(Like Toy Story)") for row in rows)
    assert any("(Because you liked " in row for row in rows)
    assert "SVD" not in out and "Reciprocal" not in out


def recommend_json(built, capsys, *args) -> dict:
    """``staticrec recommend --json`` over the built artifacts, its answer parsed."""
    assert main(["recommend", "--artifacts-dir", str(built), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_recommend_json_matches_the_scoring_core(built, recommender, capsys):
    answer = recommend_json(built, capsys, "--rate", "Heat (1995)=5", "--rate", "casino (1995)=4.5")
    expected = recommender.for_visitor({6: 5.0, 16: 4.5})
    assert [i["movie_id"] for i in answer["hybrid"]] == [i.movie_id for i in expected.hybrid]
    assert answer["mode"] == "visitor"


@pytest.mark.parametrize(
    ("typed", "movie_id"),
    [("Heat", 6), ("matrix", 2571), ("The Matrix (1999)", 2571), ("léon", 293)],
)
def test_recommend_finds_titles_as_the_page_does(cut_built, capsys, typed, movie_id):
    """Issue 23, item 5: "Heat=5" finds Heat (1995), "matrix" The Matrix."""
    answer = recommend_json(cut_built, capsys, "--rate", f"{typed}=5")
    expected = main_answer(cut_built, {movie_id: 5.0})
    assert [i["movie_id"] for i in answer["hybrid"]] == expected


def main_answer(artifacts, ratings, **options) -> list[int]:
    from staticrec.pipeline.artifacts import load_recommender

    answer = load_recommender(artifacts).for_visitor(ratings, **options)
    return [i.movie_id for i in answer.hybrid]


def test_recommend_says_which_of_equal_matches_it_chose(cut_built, caplog):
    """On stderr (the log): which movie was chosen, and which matched as well."""
    with caplog.at_level("INFO", logger="staticrec"):
        assert main(["recommend", "--artifacts-dir", str(cut_built), "--rate", "matrix=5"]) == 0
    err = caplog.text
    assert "--rate 'matrix': chose Matrix, The (1999) (the most rated of those matching)" in err
    assert "Matrix Reloaded, The (2003)" in err


def test_recommend_hides_filters_and_watches_together(cut_built, tmp_path, capsys):
    friend = tmp_path / "friend.csv"
    friend.write_text("movieId,rating\n1,5\n3114,4.5\n2355,5\n", encoding="utf-8")
    args = ["--rate", "heat=5", "--rate", "casino=4.5", "--hide", "pulp fiction"]
    args += ["--genre", "Crime", "--decade", "1990"]
    answer = recommend_json(cut_built, capsys, *args)
    expected = main_answer(cut_built, {6: 5.0, 16: 4.5}, hidden=[296], genre="Crime", decade=1990)
    assert [i["movie_id"] for i in answer["hybrid"]] == expected and 296 not in expected
    assert all("Crime" in i["genres"] and 1990 <= i["year"] <= 1999 for i in answer["hybrid"])
    assert all(i["reason"] and i["why"] for i in answer["hybrid"])  # the whole chain in JSON
    together = recommend_json(cut_built, capsys, "--user", "105", "--together-file", str(friend))
    assert together["mode"] == "together" and len(together["hybrid"]) == 10
    assert not {1, 3114, 2355} & {i["movie_id"] for i in together["hybrid"]}


def test_recommend_niche_gives_the_scoring_cores_list(cut_built, capsys):
    for level in (0, 2):
        answer = recommend_json(cut_built, capsys, "--rate", "heat=5", "--niche", str(level))
        expected = main_answer(cut_built, {6: 5.0}, niche=level)
        assert [i["movie_id"] for i in answer["hybrid"]] == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "9999"], "Unknown userId 9999"),
        (["--niche", "4"], "A niche level is 0 to 3, not 4"),
        (["--genre", "Comdy"], "No movie has the genre 'Comdy'; genres: Action"),
        (["--decade", "1995"], "A decade is a year ending in 0 (1990), not 1995"),
        (["--hide", "zzzzzz"], "Title 'zzzzzz' not found"),
        (["--favorite", "Toy Stroy (1995)"], "Did you mean: Toy Story (1995)"),
        (["--rate", "Heat (1995)"], "--rate expects TITLE=RATING"),
        (["--rate", "Heat (1995)=great"], "could not convert"),
        (["--rate", "Heat (1995)=9"], "between 0.5 and 5.0"),
    ],
)
def test_recommend_errors(cut_built, capsys, args, message):
    assert main(["recommend", "--artifacts-dir", str(cut_built), *args]) == 1
    assert message in capsys.readouterr().err


def test_recommend_without_artifacts(tmp_path, capsys):
    assert main(["recommend", "--artifacts-dir", str(tmp_path)]) == 1
    assert "run `staticrec build` first" in capsys.readouterr().err


def test_build_script_is_the_build_command(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--data-dir" in result.stdout and "--tune" in result.stdout


def test_recommend_refuses_artifacts_of_another_schema(built, tmp_path, capsys):
    import shutil

    copy = tmp_path / "artifacts"
    shutil.copytree(built, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    (copy / "manifest.json").write_text(json.dumps({**manifest, "schema_version": 99}))
    assert main(["recommend", "--artifacts-dir", str(copy), "--user", "105"]) == 1
    assert "schema version 99" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--top-k", "0"], "error: --top-k: must be between 1 and 32767, not 0"),
        (["--n-factors", "0"], "error: --n-factors: must be at least 1, not 0"),
        (["--reg-all", "-1"], "error: --reg-all: must be a non-negative number, not -1.0"),
    ],
)
def test_invalid_options_are_named_by_their_flag(tmp_path, capsys, args, message):
    """A config's validation names its field; the command line names the option instead."""
    code = main(["build", "--data-dir", str(tmp_path), "--no-site", "--quiet", *args])
    assert code == 1
    assert capsys.readouterr().err.strip() == message


def test_a_scratch_folder_that_is_not_there_is_named_by_its_flag(tmp_path, capsys):
    pytest.importorskip("pyspark")
    missing = tmp_path / "shared"
    args = ["--engine", "spark", "--spark-scratch", str(missing)]
    code = main(["build", "--data-dir", str(tmp_path), "--no-site", "--quiet", *args])
    assert code == 1
    assert capsys.readouterr().err.strip() == f"error: --spark-scratch: {missing} is not a folder"


def test_several_users_as_json_lines_in_one_process(built, recommender, capsys):
    users = ["--user", "1", "--user", "105", "--user", "610"]
    assert main(["recommend", "--artifacts-dir", str(built), "--json", *users]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for line, user in zip(lines, (1, 105, 610), strict=True):
        answer = json.loads(line)
        expected = recommender.for_user(user)
        assert [i["movie_id"] for i in answer["hybrid"]] == [i.movie_id for i in expected.hybrid]


def test_ratings_file_equals_the_same_ratings_given_by_title(built, tmp_path, capsys):
    ratings = tmp_path / "mine.csv"
    ratings.write_text("movieId,rating,comment\n6,5,Heat\n16,4.5,Casino\n")
    from_file = recommend_json(built, capsys, "--ratings-file", str(ratings))
    by_title = recommend_json(
        built, capsys, "--rate", "Heat (1995)=5", "--rate", "Casino (1995)=4.5"
    )
    assert from_file == by_title


IMDB_EXPORT = """Const,Your Rating,Date Rated,Title,Year
tt0113277,10,2024-01-02,Heat,1995
tt0133093,8,2024-01-03,The Matrix,1999
tt9999999,7,2024-01-04,A Film Nobody Has,2030
"""
LETTERBOXD_EXPORT = """Date,Name,Year,Letterboxd URI,Rating
2024-01-02,Heat,1995,https://boxd.it/a,5
2024-01-03,The Matrix,1999,https://boxd.it/b,4
2024-01-04,Amélie,2001,https://boxd.it/c,4.5
2024-01-05,Heat,1986,https://boxd.it/d,3
"""


@pytest.mark.parametrize(
    ("export", "unmatched"),
    [
        (IMDB_EXPORT, "line 4: tt9999999 A Film Nobody Has"),
        (LETTERBOXD_EXPORT, "line 5: Heat (1986)"),
    ],
)
def test_imdb_and_letterboxd_exports_are_matched_and_misses_listed(
    built, recommender, tmp_path, capsys, caplog, export, unmatched
):
    path = tmp_path / "export.csv"
    path.write_text(export, encoding="utf-8")
    with caplog.at_level("INFO", logger="staticrec"):
        from_export = recommend_json(built, capsys, "--ratings-file", str(path))
    assert unmatched in caplog.text and "rows matched" in caplog.text
    # the same ratings as movieIds on the model's scale (IMDb 10 -> 5, 8 -> 4)
    plain = tmp_path / "plain.csv"
    if export is IMDB_EXPORT:
        plain.write_text("movieId,rating\n6,5\n2571,4\n")
    else:
        amelie = recommender.titles.find("Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)")
        plain.write_text(f"movieId,rating\n6,5\n2571,4\n{amelie},4.5\n")
    assert from_export == recommend_json(built, capsys, "--ratings-file", str(plain))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("movieId,rating\n6,5\n999999,4\n", "line 3, column 'movieId': unknown movieId 999999"),
        ("movieId,rating\n6,9\n", "line 2, column 'rating': '9' is not a rating between 0.5 and 5"),
        ("movieId,rating\n6,great\n", "line 2, column 'rating': 'great' is not a rating"),
        ("movieId,rating\nsix,4\n", "line 2, column 'movieId': 'six' is not a movieId"),
        ("movieId,rating\n6,4\n6,5\n", "line 3, column 'movieId': movieId 6 is rated twice"),
        ("title,stars\nHeat,5\n", "line 1: needs the columns movieId, rating (or an IMDb"),
    ],
)
def test_ratings_file_errors_name_line_and_column(built, tmp_path, capsys, text, message):
    path = tmp_path / "mine.csv"
    path.write_text(text)
    assert main(["recommend", "--artifacts-dir", str(built), "--ratings-file", str(path)]) == 1
    assert f"{path}, {message}" in capsys.readouterr().err


def test_an_os_error_is_one_line_not_a_traceback(tiny_dir, tmp_path, capsys):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where a folder should go")
    args = ["build", "--quiet", "--no-site", "--data-dir", str(tiny_dir)]
    assert main([*args, "--artifacts-dir", str(blocker / "artifacts"), "--n-factors", "2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert str(blocker) in err
    assert blocker.read_text() == "a file where a folder should go"


def test_version_and_python_dash_m():
    from staticrec import __version__

    script = Path(sys.executable).parent / "staticrec"  # the console script beside python
    for command in ([str(script)], [sys.executable, "-m", "staticrec"]):
        result = subprocess.run([*command, "--version"], capture_output=True, text=True)
        assert result.returncode == 0 and result.stdout.strip() == f"staticrec {__version__}"


@pytest.mark.parametrize("script", sorted(p.name for p in (REPO / "benchmarks").glob("bench_*.py")))
def test_every_benchmark_help_describes_and_never_runs(script):
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.startswith("usage:")
    assert "ms" not in result.stdout.split("\n", 1)[0]  # a usage line, no figures


def test_a_closed_pipe_ends_quietly(built):
    """`staticrec recommend ... | head -1`: the reader leaves, the command stops without a word."""
    process = subprocess.Popen(
        [sys.executable, "-m", "staticrec", "recommend", "--artifacts-dir", str(built), "--json"]
        + ["--user", "105"] * 200,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before the first line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_third_party_prints_go_to_stderr_not_stdout(capsys):
    """Results only on stdout: what a library prints while computing goes to stderr."""
    from staticrec.cli.options import results_only

    def noisy(value):
        print("Estimating biases using als...")
        return value

    assert results_only(noisy, 42) == 42
    captured = capsys.readouterr()
    assert captured.out == "" and "Estimating biases" in captured.err


def test_build_shows_a_bar_for_each_long_stage_unless_quiet(tiny_dir, tmp_path, capsys):
    """content, item index and svd each show a tqdm bar on stderr; --quiet shows none, and
    stdout keeps the summary only."""
    build = ["build", "--data-dir", str(tiny_dir), "--artifacts-dir", str(tmp_path / "a")]
    assert main([*build, "--no-site"]) == 0
    err = capsys.readouterr().err
    for label in ("content:", "item index:", "svd:"):
        assert label in err, label
    assert main([*build, "--no-site", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "content:" not in err and "it/s" not in err and "loaded" in out
