"""Offline visits: the files For you needs, kept by the service worker after the first visit."""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

from staticrec.scoring import schema
from staticrec.scoring.schema import MANIFEST
from staticrec.site.config import DATA_DIR, FOR_YOU, RUNTIME_DIR, SERVICE_WORKER
from staticrec.site.pyodide import sha256_of

OFFLINE_SHARDS_BYTES = 20_000_000
"""The shards of the tables sharded by one key (the users', the movies') are kept for offline
visits when they weigh at most this much together (every user, every movie then works
offline); above it, only the shards a visit fetched are kept."""


def offline_files(out: Path) -> list[str]:
    """What For you needs, as URLs relative to the site's root: the page, the scripts and
    styles, the model files and (self-hosted) the Python runtime. About 24 MB on
    ml-latest-small, most of it Pyodide. The shards are among them only while small
    (``OFFLINE_SHARDS_BYTES``, by shard key: at ml-32m the neighbour rows are, 19.8 MB, and
    the users' are not); otherwise the service worker keeps each one a visit fetches."""
    folders = ["assets", "vendor", DATA_DIR.rstrip("/"), RUNTIME_DIR.rstrip("/")]
    paths = [
        path
        for folder in folders
        if (out / folder).is_dir()
        for path in sorted((out / folder).rglob("*"))
        if path.is_file()
    ]
    by_key: dict[str, set[Path]] = {}
    for path in paths:
        key = _shard_key(path.relative_to(out))
        if key is not None:
            by_key.setdefault(key, set()).add(path)
    for shards in by_key.values():
        if sum(path.stat().st_size for path in shards) > OFFLINE_SHARDS_BYTES:
            paths = [path for path in paths if path not in shards]
    return [FOR_YOU, *(path.relative_to(out).as_posix() for path in paths)]


def _shard_key(path: Path) -> str | None:
    """The shard key of a file of a sharded table (data/<table>/<n>.parquet); None for any
    other file."""
    parts = path.parts
    if len(parts) == 3 and parts[0] == DATA_DIR.rstrip("/") and parts[1] in schema.TABLES:
        return schema.TABLES[parts[1]].shard_key
    return None


def model_start_files() -> list[str]:
    """The model files For you starts with, the items table first (the search needs it, so it
    is downloaded at once; the others once Python's files are in)."""
    tables = sorted(schema.START_TABLES, key=lambda table: table is not schema.ITEMS)
    return [table.file for table in tables]


def model_later_files() -> list[str]:
    """Of ``model_start_files``, those an answer without ratings does not read (the movie
    factors): For you asked for a favourite, or nothing yet, fetches them after its first
    answer."""
    return [schema.ITEM_FACTORS.file]


def start_files(out: Path) -> list[str]:
    """What For you needs to start, of ``offline_files``: the page, the scripts and styles, the
    runtime, the manifest and the start tables (not the shards). The service worker keeps
    these first, on any page of the site that is idle, so that For you opens warm."""
    wanted = {f"{DATA_DIR}{MANIFEST}", *(f"{DATA_DIR}{name}" for name in model_start_files())}
    return [
        url
        for url in offline_files(out)
        if url == FOR_YOU
        or url.split("/")[0] in ("assets", "vendor", RUNTIME_DIR.rstrip("/"))
        or url in wanted
    ]


def write_service_worker(environment: jinja2.Environment, out: Path) -> None:
    """service-worker.js, with the files it keeps (those For you starts with apart) and a
    digest of them all as the cache's version: any change to any of them (data, runtime, page,
    script) makes a new cache."""
    files = offline_files(out)
    start = start_files(out)
    digest = hashlib.sha256()
    for url in files:
        path = out / (f"{url}index.html" if url.endswith("/") else url)
        digest.update(f"{url}\0{sha256_of(path)}\n".encode())
    script = environment.get_template(SERVICE_WORKER).render(
        version=digest.hexdigest()[:16],
        start=start,
        rest=[url for url in files if url not in start],
    )
    (out / SERVICE_WORKER).write_text(script, encoding="utf-8")
