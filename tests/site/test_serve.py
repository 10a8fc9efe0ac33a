"""`staticrec serve`: the headers a production host should send, and the 404 page."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from datasets import evil_dataset
from staticrec.cli import main
from staticrec.errors import DataError
from staticrec.pipeline.run import BuildConfig, run
from staticrec.site.config import SiteConfig
from staticrec.site.runtime import content_security_policy
from staticrec.site.serve import PreviewServer, _Handler


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    site = folder / "site"
    run(
        BuildConfig(
            data_dir=evil_dataset(folder / "data"),
            artifacts_dir=folder / "artifacts",
            site=SiteConfig(site_dir=site, pyodide="cdn"),
        )
    )
    preview = PreviewServer(site, port=0, quiet=True).start()
    yield preview
    preview.close()


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.parametrize("path", ["", "for-you/", "assets/worker.js", "data/manifest.json"])
def test_every_response_carries_the_pages_policy_and_revalidates(server, path):
    status, headers, _ = get(server.url + path)
    assert status == 200
    # the policy the build wrote into the pages, sent to the worker's script too
    assert headers["Content-Security-Policy"] == content_security_policy("cdn")
    assert headers["Cache-Control"] == "no-cache"


def test_types_a_browser_needs(server):
    assert _Handler.extensions_map[".wasm"] == "application/wasm"  # for streaming compilation
    assert get(server.url + "assets/worker.js")[1]["Content-Type"] == "text/javascript"
    assert get(server.url + "data/items.parquet")[1]["Content-Type"].startswith("application/")


def test_a_missing_path_gets_the_404_page(server):
    status, headers, body = get(server.url + "movie/999999/")
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert b"Page not found" in body


def test_a_folder_that_is_not_a_site_is_refused(tmp_path, capsys):
    with pytest.raises(DataError, match="not a built site"):
        PreviewServer(tmp_path, port=0)
    assert main(["serve", str(tmp_path), "--port", "0"]) == 1
    assert "run `staticrec build` first" in capsys.readouterr().err
