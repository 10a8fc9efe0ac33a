"""`staticrec serve`: what GitHub Pages sends (headers, gzip, ETags, the 404 page), and one
clear line for every mistake (issue 26, items 6 to 9)."""

from __future__ import annotations

import gzip
import http.client
import os
import socket
import time
import urllib.error
import urllib.request
import zipfile

import pytest

from datasets import evil_dataset
from staticrec.cli import main
from staticrec.errors import DataError
from staticrec.pipeline.run import BuildConfig, run
from staticrec.site.config import SiteConfig
from staticrec.site.runtime import content_security_policy
from staticrec.site.serve import PAGES_CACHE_CONTROL, PreviewServer
from staticrec.site.static_files import GZIP_LEVEL, content_type


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
    assert content_type("pyodide/pyodide.asm.wasm") == "application/wasm"  # streaming compilation
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


# A hand-made site: every kind of file Pages treats differently, served in milliseconds.

POLICY = "default-src 'self'"
WASM = b"\0asm\1\0\0\0" + bytes(range(256)) * 400
"""Compressible, as Pyodide's runtime is (10.1 MB, 3.2 MB gzipped)."""
PARQUET = b"PAR1" + b"\0" * 20_000 + b"PAR1"
"""Compressible too: Pages still sends Parquet as it is."""


def page(policy: str = POLICY, text: str = "home") -> str:
    return (
        f'<!doctype html><meta http-equiv="Content-Security-Policy" content="{policy}">'
        f"<title>{text}</title><p>{text}</p>" + "<p>filler</p>" * 200
    )


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    for folder in ("assets", "data", "for-you", "pyodide"):
        (root / folder).mkdir(parents=True)
    (root / "index.html").write_text(page())
    (root / "404.html").write_text("<!doctype html><p>Page not found</p>")
    (root / "for-you" / "index.html").write_text(page(text="for you"))
    (root / "assets" / "page.js").write_text("console.log('staticrec');\n" * 300)
    (root / "data" / "manifest.json").write_text('{"tables": []}' + " " * 3000)
    (root / "data" / "items.parquet").write_bytes(PARQUET)
    (root / "pyodide" / "pyodide.asm.wasm").write_bytes(WASM)
    with zipfile.ZipFile(root / "pyodide" / "scoring-0.1-py3-none-any.whl", "w") as wheel:
        wheel.writestr("scoring/__init__.py", "x = 1\n" * 1000)
    return root


@pytest.fixture
def preview(site):
    server = PreviewServer(site, port=0, quiet=True).start()
    yield server
    server.close()


def fetch(server, path: str, headers=None, method: str = "GET"):
    """(status, headers, body) of one request, sent as given: http.client adds no
    Accept-Encoding of its own when one is given, and urllib's would say identity."""
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


GZIP = {"Accept-Encoding": "gzip, deflate, br"}
COMPRESSED = ["/", "/assets/page.js", "/pyodide/pyodide.asm.wasm", "/data/manifest.json"]
SENT_AS_THEY_ARE = ["/data/items.parquet", "/pyodide/scoring-0.1-py3-none-any.whl"]


def file_of(site, path: str) -> bytes:
    return (site / (path.strip("/") or "index.html")).read_bytes()


@pytest.mark.parametrize("path", COMPRESSED)
def test_gzip_for_the_types_pages_compresses_when_the_browser_accepts_it(preview, site, path):
    status, headers, body = fetch(preview, path, GZIP)
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert int(headers["Content-Length"]) == len(body) < len(file_of(site, path))
    assert gzip.decompress(body) == file_of(site, path)

    status, headers, body = fetch(preview, path)  # no Accept-Encoding: the file as it is
    assert status == 200 and headers["Content-Encoding"] is None
    assert body == file_of(site, path) and headers["Vary"] == "Accept-Encoding"
    assert fetch(preview, path, {"Accept-Encoding": "gzip;q=0"})[1]["Content-Encoding"] is None


@pytest.mark.parametrize("path", SENT_AS_THEY_ARE)
def test_parquet_and_wheels_are_never_gzipped(preview, site, path):
    status, headers, body = fetch(preview, path, GZIP)
    assert status == 200 and headers["Content-Encoding"] is None
    assert body == file_of(site, path)


def test_gzip_for_exactly_the_types_pages_compresses(preview):
    encodings = {path: fetch(preview, path, GZIP)[1]["Content-Encoding"] for path in COMPRESSED}
    encodings |= {
        path: fetch(preview, path, GZIP)[1]["Content-Encoding"] for path in SENT_AS_THEY_ARE
    }
    assert {path for path, encoding in encodings.items() if encoding == "gzip"} == set(COMPRESSED)


def test_each_file_is_compressed_once_per_version(preview, site, monkeypatch):
    compressed = []
    original = gzip.compress
    monkeypatch.setattr(
        gzip, "compress", lambda data, **kw: compressed.append(1) or original(data, **kw)
    )
    wasm = "/pyodide/pyodide.asm.wasm"
    assert fetch(preview, wasm, GZIP)[2] == fetch(preview, wasm, GZIP)[2]
    assert fetch(preview, wasm)[2] == WASM  # the file as it is: nothing compressed for it
    assert len(compressed) == 1
    (site / "pyodide" / "pyodide.asm.wasm").write_bytes(WASM + b"rebuilt")  # a rebuild
    assert gzip.decompress(fetch(preview, wasm, GZIP)[2]) == WASM + b"rebuilt"
    assert len(compressed) == 2


def test_head_says_what_get_would_send(preview):
    status, headers, body = fetch(preview, "/assets/page.js", GZIP, method="HEAD")
    assert status == 200 and body == b"" and headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(fetch(preview, "/assets/page.js", GZIP)[2])


def test_the_benchmarks_get_the_cache_header_pages_sends(site):
    measured = PreviewServer(site, port=0, quiet=True, cache_control=PAGES_CACHE_CONTROL).start()
    try:
        for path in ("", "assets/page.js", "pyodide/pyodide.asm.wasm"):
            assert get(measured.url + path)[1]["Cache-Control"] == "max-age=600"
    finally:
        measured.close()


def test_an_unchanged_file_is_revalidated_with_304(preview, site):
    path = "/assets/page.js"
    first = fetch(preview, path, GZIP)[1]["ETag"]
    plain = fetch(preview, path)[1]["ETag"]
    assert first.startswith('"') and plain.startswith('"') and first != plain  # per encoding
    status, headers, body = fetch(preview, path, {**GZIP, "If-None-Match": first})
    assert (status, body, headers["ETag"]) == (304, b"", first)
    assert headers["Cache-Control"] == "no-cache"  # revalidated every time: see the docstring
    assert fetch(preview, path, {**GZIP, "If-None-Match": f"W/{first}, other"})[0] == 304
    assert fetch(preview, path, {"If-None-Match": first})[0] == 200  # the other encoding
    (site / "assets" / "page.js").write_text("console.log('rebuilt');\n")
    status, headers, _ = fetch(preview, path, {**GZIP, "If-None-Match": first})
    assert status == 200 and headers["ETag"] != first


def assert_not_found(server, path: str):
    status, headers, body = fetch(server, path)
    assert status == 404, (path, status)
    assert headers["Content-Type"].startswith("text/html") and b"Page not found" in body


def test_symlinks_reach_nothing_inside_the_site_or_out_of_it(preview, site, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (site / "etclink").symlink_to("/etc")
    (site / "secret.txt").symlink_to(outside)
    (site / "assets" / "again.js").symlink_to(site / "assets" / "page.js")
    (site / "linked").symlink_to(site / "for-you")
    (site / "loop").symlink_to(site / "loop")
    for path in ("/etclink/passwd", "/etclink/", "/secret.txt", "/assets/again.js"):
        assert_not_found(preview, path)
    for path in ("/linked/", "/linked/index.html", "/linked", "/loop/x"):
        assert_not_found(preview, path)
    assert fetch(preview, "/assets/page.js")[0] == 200  # the file itself, by its own path


def test_folders_are_never_listed(preview, site):
    for path in ("/assets/", "/data/", "/pyodide/", "/assets", "/index.html/"):
        assert_not_found(preview, path)
    # ".." stops at the site's root, encoded or not
    assert fetch(preview, "/%2e%2e/")[2] == fetch(preview, "/../../")[2] == file_of(site, "/")


def test_a_folder_without_its_slash_redirects_as_pages_does(preview):
    status, headers, body = fetch(preview, "/for-you?user=105")
    assert (status, headers["Location"], body) == (301, "/for-you/?user=105", b"")
    status, headers, _ = fetch(preview, "//for-you")  # never a redirect to another host
    assert status == 301 and headers["Location"] == "/for-you/"
    assert_not_found(preview, "/assets")  # no index.html: nothing to redirect to


@pytest.mark.parametrize("path", ["/%00", "/assets/%00.js", "/%ff", "/%c3%28/"])
def test_a_path_no_file_can_have_is_400_and_the_server_keeps_serving(site, capsys, path):
    server = PreviewServer(site, port=0).start()  # not quiet: its log is checked
    try:
        status, _, body = fetch(server, path)
        assert status == 400 and body.startswith(b"400 Bad Request")
        assert fetch(server, "/")[0] == 200
    finally:
        server.close()
    bad, good = capsys.readouterr().err.splitlines()  # one line each, no traceback
    assert '" 400 ' in bad and path in bad and '" 200 ' in good


def test_a_missing_file_and_a_post_get_one_line_each(preview, site):
    assert_not_found(preview, "/movie/999999/")
    status, _, body = fetch(preview, "/", method="POST")
    assert status == 501 and body.startswith(b"501")


@pytest.mark.parametrize("port", ["99999", "-1", "80a"])
def test_a_port_out_of_range_is_one_line_naming_it(site, capsys, port):
    with pytest.raises(SystemExit) as exited:
        main(["serve", str(site), "--port", port])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"--port: must be 0 to 65535, not {port}" in err and "Traceback" not in err


def test_a_busy_port_is_one_line_naming_address_and_port(site, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", str(site), "--port", str(port)]) == 1
    assert capsys.readouterr().err == (
        f"error: 127.0.0.1:{port} is already in use: stop the other server or choose --port\n"
    )


def test_an_address_not_of_this_machine_is_one_line_naming_it(site, capsys):
    assert main(["serve", str(site), "--bind", "192.0.2.1", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot listen on 192.0.2.1:0: ") and err.count("\n") == 1


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no IPv6 loopback")
@pytest.mark.parametrize("bind", ["::1", "[::1]"])
def test_ipv6_loopback(site, bind):
    server = PreviewServer(site, bind, port=0, quiet=True).start()
    try:
        assert server.url == f"http://[::1]:{server.server_address[1]}/"
        assert fetch(server, "/")[0] == 200
    finally:
        server.close()


def test_the_policy_header_follows_a_rebuild(preview, site):
    assert fetch(preview, "/")[1]["Content-Security-Policy"] == POLICY
    rebuilt = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"
    (site / "index.html").write_text(page(policy=rebuilt.replace("'", "&#x27;")))
    assert fetch(preview, "/assets/page.js")[1]["Content-Security-Policy"] == rebuilt
    (site / "index.html").unlink()  # mid-rebuild: the last policy read stays
    assert fetch(preview, "/assets/page.js")[1]["Content-Security-Policy"] == rebuilt


@pytest.mark.parametrize("sent", [b"GET / HTTP/1.1\r\nHost: x\r\n", b"GE", b""])
def test_a_half_sent_or_idle_connection_is_closed_after_the_timeout(site, sent):
    server = PreviewServer(site, port=0, quiet=True, idle_timeout=0.5).start()
    try:
        with socket.create_connection(server.server_address[:2], timeout=10) as connection:
            connection.sendall(sent)
            started = time.monotonic()
            assert connection.recv(1024) == b""  # closed by the server, nothing answered
            assert 0.3 < time.monotonic() - started < 3
        assert fetch(server, "/")[0] == 200
    finally:
        server.close()


def test_the_transfer_log_counts_bytes_on_the_wire_and_decoded(preview, site):
    fetch(preview, "/")
    preview.clear_transfer_log()
    js, wasm, parquet = "/assets/page.js", "/pyodide/pyodide.asm.wasm", "/data/items.parquet"
    etag = fetch(preview, js, GZIP)[1]["ETag"]
    wasm_body = fetch(preview, wasm, GZIP)[2]
    fetch(preview, parquet, GZIP)
    fetch(preview, js, {**GZIP, "If-None-Match": etag})
    fetch(preview, "/nothing/here")
    fetch(preview, "/for-you")
    js_body = fetch(preview, js)[2]
    size = os.path.getsize
    log = preview.transfer_log()
    assert [t.at for t in log] == sorted(t.at for t in log)
    assert [t[:5] for t in log] == [
        (
            js,
            200,
            len(gzip.compress(js_body, mtime=0, compresslevel=GZIP_LEVEL)),
            len(js_body),
            "gzip",
        ),
        (wasm, 200, len(wasm_body), len(WASM), "gzip"),
        (parquet, 200, len(PARQUET), len(PARQUET), "identity"),
        (js, 304, 0, 0, "gzip"),
        ("/nothing/here", 404, size(site / "404.html"), size(site / "404.html"), "identity"),
        ("/for-you", 301, 0, 0, "identity"),
        (js, 200, len(js_body), len(js_body), "identity"),
    ]
    assert preview.transfer_log()[0].wire_bytes < preview.transfer_log()[0].decoded_bytes
