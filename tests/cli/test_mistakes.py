"""A hostile new user's mistakes: each ends in a correct result or one line naming the file,
line, column, option or key, never a traceback, and loses nothing."""

from __future__ import annotations

import shutil

import pytest

from staticrec.cli import main

OWN = ["--user-column", "u", "--item-column", "i", "--rating-column", "r"]
OWN += ["--timestamp-column", "none", "--no-site", "--quiet"]


def build(tmp_path, text: str, *options: str) -> int:
    (tmp_path / "r.csv").write_text(text, encoding="utf-8")
    args = ["build", "--ratings", str(tmp_path / "r.csv"), "--artifacts-dir", str(tmp_path / "a")]
    return main([*args, *OWN, *options])


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_one_rating_builds_without_a_holdout(tmp_path, capsys):
    assert build(tmp_path, "u,i,r\n1,10,5\n") == 0
    out = capsys.readouterr().out
    assert "loaded   1 rating by 1 user on 1 of 1 item" in out
    assert (tmp_path / "a" / "manifest.json").is_file()


def test_the_same_column_for_two_roles_is_named(tmp_path, capsys):
    text = "u,i,r\n1,10,5\n"
    assert build(tmp_path, text, "--item-column", "u") == 1
    assert one_line(capsys) == (
        "error: --item-column: names the column 'u' that --user-column names: each column once"
    )


@pytest.mark.parametrize("scale", [("1", "1e400"), ("10", "1"), ("5", "5"), ("nan", "10")])
def test_a_rating_scale_that_cannot_hold_ratings_is_refused(tmp_path, capsys, scale):
    assert build(tmp_path, "u,i,r\n1,10,5\n", "--rating-scale", *scale) == 1
    assert "error: --rating-scale: must be two finite numbers, the lowest first" in one_line(capsys)
    assert not (tmp_path / "a").exists()


def test_tuning_on_too_few_ratings_is_one_line(tmp_path, capsys):
    assert build(tmp_path, "u,i,r\n1,10,5\n2,10,4\n", "--tune") == 1
    assert one_line(capsys) == "error: --tune: 2 rating(s) cannot be split into 3 folds"


def test_an_id_in_another_script_is_named_by_line(tmp_path, capsys):
    assert build(tmp_path, "u,i,r\n1,10,5\n\u0661,11,4\n") == 1
    assert one_line(capsys).endswith("r.csv, line 3, column 'u': '\u0661' is not an integer")


def test_control_characters_in_a_file_never_reach_the_terminal(tmp_path, capsys):
    assert build(tmp_path, "\x00\x00\x1b[31m\n1\n") == 1
    err = one_line(capsys)
    assert "\x00" not in err and "\x1b" not in err and "\\x00\\x00\\x1b[31m" in err


def test_titles_lose_their_control_characters_on_pages_and_in_the_cli(tmp_path, capsys):
    (tmp_path / "items.csv").write_text('i,title\n10,"Red \x1b[31mAlert\x0b (1990)"\n11,Calm\n')
    text = "u,i,r\n1,10,5\n1,11,4\n2,10,3\n"
    assert build(tmp_path, text, "--items", str(tmp_path / "items.csv"), "--categories-column",
                 "none") == 0  # fmt: skip
    capsys.readouterr()
    assert main(["recommend", "--artifacts-dir", str(tmp_path / "a"), "--rate", "Calm=4"]) == 0
    out = capsys.readouterr().out
    assert "Red  [31mAlert  (1990)" in out and "\x1b" not in out and "\x0b" not in out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--seed", "-1"], "--seed: must be a whole number from 0 to 2^32-1, not -1"),
        (["--users", "0"], "--users: must be at least 1, not 0"),
        (["--users", "10", "--movies", "20", "--ratings", "1000"], "--ratings: must be between"),
    ],
)
def test_generate_names_the_option_at_fault(tmp_path, capsys, options, message):
    assert main(["generate", str(tmp_path / "g"), *options]) == 1
    assert message in one_line(capsys)
    assert not (tmp_path / "g").exists()


def test_generate_fits_a_small_catalogue(tmp_path, capsys):
    """Every user rates at least 20 movies, unless the catalogue is smaller than 40."""
    assert main(["generate", str(tmp_path / "g"), "--users", "10", "--movies", "20",
                 "--ratings", "100"]) == 0  # fmt: skip
    assert "10 users, 20 movies" in capsys.readouterr().out


def test_recommend_refuses_an_artifact_that_is_not_the_manifests(cut_built, tmp_path, capsys):
    damaged = tmp_path / "artifacts"
    shutil.copytree(cut_built, damaged)
    items = damaged / "items.parquet"
    data = bytearray(items.read_bytes())
    data[len(data) // 2] ^= 1
    items.write_bytes(bytes(data))
    assert main(["recommend", "--artifacts-dir", str(damaged), "--user", "1"]) == 1
    assert one_line(capsys) == (
        f"error: {items}: does not match the manifest's sha256 (damaged, or from another "
        "build): rebuild the artifacts"
    )
