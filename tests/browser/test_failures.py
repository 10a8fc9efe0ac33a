"""Whatever breaks, the page says what, visibly: never a blank page or a console-only error."""

from __future__ import annotations

import hashlib

from browsing import wait_for_error

from staticrec.scoring.schema import SCHEMA_VERSION


def flip_one_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_changed_artifact_byte_is_refused(page, serve_copy):
    url = serve_copy(lambda site: flip_one_byte(site / "data" / "item_factors.parquet"))
    page.goto(f"{url}for-you/?user=105")
    message = wait_for_error(page)
    assert "item_factors.parquet failed its integrity check" in message
    assert page.get_attribute("#results", "data-state") is None  # no answer from bad data


def test_changed_manifest_is_refused(page, serve_copy):
    def edit(site):
        manifest = site / "data" / "manifest.json"
        manifest.write_text(manifest.read_text().replace('"n_factors": 50', '"n_factors": 49'))

    url = serve_copy(edit)
    page.goto(f"{url}for-you/")
    assert "manifest.json failed its integrity check" in wait_for_error(page)


def test_missing_artifact_is_named(page, serve_copy):
    url = serve_copy(lambda site: (site / "data" / "user_ratings.parquet").unlink())
    page.goto(f"{url}for-you/")
    assert "Could not download user_ratings.parquet: HTTP 404" in wait_for_error(page)


def test_missing_pyodide_is_named(page, serve_copy):
    url = serve_copy(lambda site: (site / "pyodide" / "pyodide.mjs").unlink())
    page.goto(f"{url}for-you/")
    assert "Python (Pyodide) could not be downloaded" in wait_for_error(page)


def test_broken_scoring_wheel_is_named(page, serve_copy):
    url = serve_copy(
        lambda site: flip_one_byte(next((site / "pyodide").glob("staticrec_scoring-*.whl")))
    )
    page.goto(f"{url}for-you/")
    message = wait_for_error(page)
    assert "Python packages failed to load" in message


def test_search_on_home_reports_a_damaged_catalogue(page, serve_copy):
    url = serve_copy(lambda site: flip_one_byte(site / "data" / "items.parquet"))
    page.goto(url)
    assert "Search is unavailable: items.parquet failed its integrity check" in wait_for_error(page)
    assert page.is_visible("text=Most rated")  # the static content is still there


def test_a_user_that_is_not_a_number_is_a_visible_message(page, site_url):
    page.goto(f"{site_url}for-you/?user=abc")
    assert '"abc" is not a userId' in wait_for_error(page)


def test_artifacts_of_another_schema_version_are_refused_by_the_scoring_core(page, serve_copy):
    """A manifest that passes its integrity check but declares another schema version is
    refused by staticrec.scoring.schema inside Pyodide: the same check as the command line."""

    def edit(site):
        manifest = site / "data" / "manifest.json"
        old = hashlib.sha256(manifest.read_bytes()).hexdigest()
        current = f'"schema_version": {SCHEMA_VERSION}'
        text = manifest.read_text().replace(current, f'"schema_version": {SCHEMA_VERSION + 1}')
        manifest.write_text(text)
        new = hashlib.sha256(manifest.read_bytes()).hexdigest()
        page_file = site / "for-you" / "index.html"
        page_file.write_text(page_file.read_text().replace(old, new))

    url = serve_copy(edit)
    page.goto(f"{url}for-you/")
    message = wait_for_error(page)
    assert f"schema version {SCHEMA_VERSION + 1}" in message and "rebuild" in message
    assert page.get_attribute("#results", "data-state") is None
