"""The files of a built site as a static host hands them out: which file a request path names,
its type, its gzip form and its entity tag.

A path reaches a file only through real folders below the site: a symlink anywhere on the way
(to a file or a folder, inside the site or out of it) names nothing, as a folder without an
``index.html`` does, so the preview never shows what a host would not.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import stat
import threading
import urllib.parse
from dataclasses import dataclass

INDEX = "index.html"

TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".wasm": "application/wasm",  # streaming compilation needs exactly this type
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".parquet": "application/vnd.apache.parquet",
}
"""The site's file types, stated here so that the answer does not depend on the machine's
``mimetypes`` tables; anything else is looked up there."""

COMPRESSED_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "application/xml",
        "text/xml",
        "text/plain",
        "application/wasm",
    }
)
"""What GitHub Pages gzips: text, scripts, JSON, SVG and WebAssembly. Never Parquet, zips,
wheels or images, which are compressed already."""

GZIP_LEVEL = 6
"""zlib's default: Pyodide's 10.1 MB wasm becomes 3.16 MB in 0.7 s here, as Pages' 3.2 MB;
level 9 saves 1 % more for three times the time."""


class BadPath(ValueError):
    """A request path no file can have: not starting with ``/``, percent-escapes that are not
    UTF-8, or a NUL byte."""


@dataclass(frozen=True)
class Target:
    """What a request path names in the site; neither field set means nothing (a 404)."""

    file: str | None = None
    """A regular file reached through real folders only."""
    status: os.stat_result | None = None
    """The file's ``lstat``, to check that the file opened is the one found."""
    redirect: str | None = None
    """The slash form of a folder's address, when the folder has an ``index.html``."""


def url_segments(raw_path: str) -> tuple[list[str], bool]:
    """The decoded path segments of a request path (query and fragment dropped, ``.`` and
    ``..`` resolved, never above the root), and whether the path ends with a slash.

    The request line arrives decoded as Latin-1 (as ``http.server`` reads it), so it is turned
    back into its bytes before the percent-escapes are decoded as UTF-8, as a host reads them.
    """
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        raise BadPath(f"{raw_path!r} is not a path")
    try:
        decoded = urllib.parse.unquote_to_bytes(path.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise BadPath(f"{raw_path!r} is not UTF-8") from None
    if "\x00" in decoded:
        raise BadPath(f"{raw_path!r} holds a NUL byte")
    segments: list[str] = []
    for part in decoded.split("/"):
        if part == "..":
            if segments:
                segments.pop()
        elif part not in ("", "."):
            segments.append(part)
    return segments, decoded.endswith("/")


def locate(root: str, raw_path: str) -> Target:
    """What ``raw_path`` names below ``root`` (the site folder, which may itself be a link).

    Each step is an ``lstat``: a symlink, a missing name or anything but a folder or a regular
    file (a FIFO would hang the reader) ends the walk with nothing found.

    Raises:
        BadPath: for a path no file can have (the caller answers 400).
    """
    segments, slash = url_segments(raw_path)
    here = root
    for segment in segments:
        here = os.path.join(here, segment)
        try:
            found = os.lstat(here)
        except (OSError, ValueError):
            return Target()
        if not (stat.S_ISDIR(found.st_mode) or stat.S_ISREG(found.st_mode)):
            return Target()
    if segments and stat.S_ISREG(found.st_mode):
        # a file has no slash form: Pages answers /index.html/ with 404
        return Target() if slash else Target(file=here, status=found)
    index = os.path.join(here, INDEX)
    try:
        index_status = os.lstat(index)
    except OSError:
        return Target()
    if not stat.S_ISREG(index_status.st_mode):
        return Target()
    if slash or not segments:
        return Target(file=index, status=index_status)
    quoted = "/".join(urllib.parse.quote(segment) for segment in segments)
    # rebuilt from the segments, so that "//host" cannot become a redirect off the site
    query = raw_path.partition("?")[2].partition("#")[0]
    return Target(redirect=f"/{quoted}/" + (f"?{query}" if query else ""))


def content_type(path: str) -> str:
    """The Content-Type of a file, by its name."""
    extension = os.path.splitext(path)[1].lower()
    return TYPES.get(extension) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header takes gzip (listed, or ``*``, without ``q=0``)."""
    accepted = {}
    for item in (accept_encoding or "").split(","):
        coding, _, parameters = item.partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[coding.strip().lower()] = quality
    return accepted.get("gzip", accepted.get("*", 0.0)) > 0


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, as RFC 9110 asks
    for this header: ``W/"x"`` matches ``"x"``)."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


@dataclass(frozen=True)
class Encoded:
    """One version of a file as the cache keeps it, for the file's size and mtime."""

    size: int
    mtime_ns: int
    digest: str
    """A hash of the file's bytes: a rebuild that leaves a file as it was keeps its ETag, so
    the browser's revalidation gets a 304 and does not download the runtime again."""
    gzipped: bytes | None
    """The gzip form, for the types Pages compresses."""

    def etag(self, encoding: str) -> str:
        """A strong ETag per representation: the gzip form's differs from the file's."""
        return f'"{self.digest}"' if encoding == "identity" else f'"{self.digest}-{encoding}"'


class FileCache:
    """Each file's hash and gzip form, worked out once per version of the file.

    Keyed by path and checked against the file's size and mtime, so that a rebuilt file is
    read again and an unchanged one (the 10 MB wasm) is never compressed twice; a newer
    version replaces the older, so the cache holds at most one version of each file. A lock
    per path lets two first requests for one file wait for one compression, not do two.
    """

    def __init__(self) -> None:
        self._entries: dict[str, Encoded] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def encoded(self, path: str, opened, status: os.stat_result, compress: bool) -> Encoded:
        """The cached form of the open file ``opened`` (read from its start when new); the
        caller seeks back before sending it."""
        entry = self._entries.get(path)
        if self._current(entry, status, compress):
            return entry
        with self._guard:
            lock = self._locks.setdefault(path, threading.Lock())
        with lock:
            entry = self._entries.get(path)
            if self._current(entry, status, compress):
                return entry
            entry = _encode(opened, status, compress)
            self._entries[path] = entry
            return entry

    @staticmethod
    def _current(entry: Encoded | None, status: os.stat_result, compress: bool) -> bool:
        return (
            entry is not None
            and entry.size == status.st_size
            and entry.mtime_ns == status.st_mtime_ns
            and (entry.gzipped is not None) == compress
        )


def _encode(opened, status: os.stat_result, compress: bool) -> Encoded:
    """Hash (and, for a compressed type, gzip) a file; compressed types are text and wasm,
    read whole, the others hashed in chunks so a large Parquet file is never all in memory."""
    opened.seek(0)
    if compress:
        data = opened.read()
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        gzipped = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
    else:
        hashed = hashlib.blake2b(digest_size=16)
        while chunk := opened.read(1 << 20):
            hashed.update(chunk)
        digest, gzipped = hashed.hexdigest(), None
    return Encoded(status.st_size, status.st_mtime_ns, digest, gzipped)
