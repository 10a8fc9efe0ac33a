"""staticrec.toml: each value is checked as its option is, and a wrong one is named by its key."""

from __future__ import annotations

import pytest

from staticrec.cli import main


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('top-k = "abc"', "top-k = 'abc': is not a whole number"),
        ("top-k = 2.5", "top-k = 2.5: is not a whole number"),
        ('movie-pages = "many"', "movie-pages = 'many': is not a whole number"),
        ("rating-scale = 10", "rating-scale = 10: must be a list of 2 values"),
        ("rating-scale = [1, 5, 10]", "rating-scale = [1, 5, 10]: must be a list of 2 values"),
        ('rating-scale = ["low", 5]', "rating-scale = ['low', 5]: is not a number"),
        ("ratings = 5", "ratings = 5: must be a string (in quotes)"),
        ('no-site = "no"', "no-site = 'no': must be true or false"),
        ('trainer = "bogus"', "trainer = 'bogus': must be one of surprise, spark"),
        ("site-title = true", "site-title = True: must be a string or a number"),
    ],
)
def test_a_value_of_the_wrong_kind_is_named_by_its_key(
    tmp_path, monkeypatch, capsys, line, message
):
    (tmp_path / "staticrec.toml").write_text(f"[build]\n{line}\n")
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert f"staticrec.toml: [build] {message}" in err and "Traceback" not in err
    assert not (tmp_path / "build").exists()


def test_build_must_be_a_table(tmp_path, monkeypatch, capsys):
    (tmp_path / "staticrec.toml").write_text("build = 5\n")
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 2
    assert "build must be a table" in capsys.readouterr().err


def test_values_are_checked_after_conversion_as_on_the_command_line(tmp_path, monkeypatch, capsys):
    """A value that converts is then held to the config's own rules, named by its option."""
    (tmp_path / "staticrec.toml").write_text("[build]\ntop-k = 0\nno-site = true\n")
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 1
    assert "--top-k: must be between 1 and 32767, not 0" in capsys.readouterr().err
