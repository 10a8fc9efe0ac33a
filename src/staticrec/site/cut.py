"""The runtime cut to what the site runs: Pyodide's standard library and numpy's wheel, each
copied from the verified official file without the parts the recommender never imports.

A first visit downloads the runtime before its first answer, and zips and wheels travel as
they are (GitHub Pages compresses neither): the official ``python_stdlib.zip`` is 2.36 MB, of
which Pyodide's start, its package installer, numpy and the scoring core import 0.8 MB; numpy's
wheel is 3.06 MB, of which ``random``, ``fft``, ``polynomial``, ``ma``, ``f2py``, ``testing``
and the C headers and type stubs take 1.3 MB that ``import numpy`` never reads.

- **The standard library** keeps ``PYODIDE_STDLIB`` (what Pyodide 0.27.7 imports from its
  standard library to start and to install wheels, and what ``import numpy`` adds: measured in
  Chromium, and checked by ``tests/browser/test_cut_runtime.py``), every module the scoring core
  imports (read from its sources, imports inside functions included, so a new import there is
  kept without a word), what those import in turn when they are imported, and the modules that
  report errors and decode text. Modules frozen into Pyodide's WebAssembly are never read from
  the zip and are not kept.
- **numpy's wheel** loses ``NUMPY_UNUSED``; its ``RECORD`` lists what is left.

Each member kept is copied as its compressed bytes, in the official order, so the same official
file always gives the same cut file (its sha256 goes into the page, or the site's lock).
"""

from __future__ import annotations

import ast
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


PYODIDE_STDLIB = _names(
    """
    __future__ _compat_pickle _compression _pyodide _pyodide._base _pyodide._core_docs
    _pyodide._future_helper _pyodide._importhook _pyodide.docs_argspec _pyodide.docstring
    _pyodide.jsbind _weakrefset ast asyncio asyncio.base_events asyncio.base_futures
    asyncio.base_subprocess asyncio.base_tasks asyncio.constants asyncio.coroutines
    asyncio.events asyncio.exceptions asyncio.format_helpers asyncio.futures asyncio.locks
    asyncio.log asyncio.mixins asyncio.protocols asyncio.queues asyncio.runners
    asyncio.selector_events asyncio.sslproto asyncio.staggered asyncio.streams asyncio.subprocess
    asyncio.taskgroups asyncio.tasks asyncio.threads asyncio.timeouts asyncio.transports
    asyncio.trsock asyncio.unix_events base64 bisect bz2 calendar collections collections.abc
    concurrent concurrent.futures concurrent.futures._base contextlib contextvars copy copyreg
    csv ctypes ctypes._endian datetime dis email email._encoded_words email._parseaddr
    email._policybase email.base64mime email.charset email.encoders email.errors email.header
    email.iterators email.message email.quoprimime email.utils encodings encodings.aliases
    encodings.cp437 encodings.utf_8 enum fnmatch functools heapq importlib importlib._abc
    importlib.abc importlib.metadata importlib.metadata._adapters importlib.metadata._collections
    importlib.metadata._functools importlib.metadata._itertools importlib.metadata._meta
    importlib.metadata._text importlib.resources importlib.resources._adapters
    importlib.resources._common importlib.resources._legacy importlib.resources.abc inspect
    ipaddress keyword linecache locale logging numbers opcode operator pathlib pickle platform
    pyodide pyodide._package_loader pyodide._state pyodide.code pyodide.common pyodide.ffi
    pyodide.webloop quopri random re re._casefix re._compiler re._constants re._parser reprlib
    selectors shutil signal socket string struct subprocess tarfile tempfile textwrap threading
    token tokenize traceback types typing urllib urllib.parse warnings weakref zipfile
    zipfile._path zipfile._path.glob
    """
)
"""The modules Pyodide 0.27.7 reads from ``python_stdlib.zip`` to start, to install the site's
wheels, and for ``import numpy`` (numpy 2.0.2): ``sys.modules`` in Chromium, measured on the
official runtime. Each is complete: what it imports is in the set."""

ALWAYS = frozenset(
    {
        # Python's errors, as the page shows them: Pyodide formats each traceback in Python
        "traceback",
        "linecache",
        "tokenize",
        "token",
        # the codecs a text decoded by name may ask for (UTF-8's is kept above)
        "encodings.ascii",
        "encodings.latin_1",
        "encodings.utf_8_sig",
    }
)

FROZEN = _names(
    """
    _collections_abc _sitebuiltins abc codecs genericpath importlib._bootstrap
    importlib._bootstrap_external importlib.machinery importlib.util io ntpath os posixpath
    runpy site stat zipimport
    """
)
"""Modules frozen into CPython 3.12's binary (Pyodide's WebAssembly): never read from the zip."""

NUMPY_UNUSED = (
    "numpy/random/",
    "numpy/fft/",
    "numpy/polynomial/",
    "numpy/ma/",
    "numpy/f2py/",
    "numpy/testing/",
    "numpy/typing/",
    "numpy/_pyinstaller/",
    "numpy/doc/",
    "numpy/_core/include/",
    "numpy/_core/lib/",
)
"""numpy's subpackages and C build files that ``import numpy`` does not read and the scoring
core does not use (``tests/site/test_cut.py`` holds the scoring core to that)."""

NUMPY_UNUSED_SUFFIXES = (".pyi", ".pxd", ".a", ".h")
"""Type stubs, Cython declarations, static libraries and C headers: for builds, not for runs."""


def module_files(module: str) -> tuple[str, str]:
    """The two names a module may have in a zip: ``a/b.py`` or ``a/b/__init__.py``."""
    path = module.replace(".", "/")
    return f"{path}.py", f"{path}/__init__.py"


def imported_modules(
    source: bytes | str, package: str = "", *, top_level: bool = False
) -> set[str]:
    """The modules ``source`` imports (each dotted name and its parents, relative imports
    resolved against ``package``). ``top_level``: only those that run when the module is
    imported (not inside functions or classes, behind ``if __name__ == "__main__"`` or in an
    ``except`` clause: a fallback, such as ``_pydatetime`` for the built-in ``_datetime``). A
    source the running Python cannot parse (a newer syntax) is read line by line: its
    unindented imports."""
    found: set[str] = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        text = source.decode() if isinstance(source, bytes) else source
        for line in text.splitlines():
            match = re.match(r"(?:import|from)\s+([\w.]+)", line)
            if match and not match.group(1).startswith("."):
                found.add(match.group(1))
        return _with_parents(found)

    def visit(nodes: Iterable[ast.AST]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, package)
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
            elif not top_level:
                visit(ast.iter_child_nodes(node))
            elif isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
                visit(node.orelse)
            elif isinstance(node, ast.Try):  # the handlers hold the fallbacks: left out
                visit([*node.body, *node.orelse, *node.finalbody])
            elif isinstance(node, ast.If | ast.With):
                visit([*node.body, *getattr(node, "orelse", [])])

    visit(tree.body)
    return _with_parents(found)


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".") if package else []
    anchor = parts[: len(parts) - node.level + 1]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def _with_parents(names: set[str]) -> set[str]:
    out = set()
    for name in names:
        parts = name.split(".")
        out.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    return {name for name in out if name}


def stdlib_needed(official: zipfile.ZipFile, sources: Iterable[tuple[str, bytes]]) -> set[str]:
    """The standard library modules to keep, for the scoring core's ``sources`` ((path, bytes)
    as the wheel ships them): ``PYODIDE_STDLIB``, ``ALWAYS``, the scoring core's own imports and
    what they import when imported."""
    present = set(official.namelist())

    def in_zip(module: str) -> str | None:
        return next((name for name in module_files(module) if name in present), None)

    pending = set(ALWAYS)
    for _, source in sources:
        pending |= imported_modules(source)
    kept = {module for module in PYODIDE_STDLIB if in_zip(module)}
    pending -= kept
    while pending:
        module = pending.pop()
        path = in_zip(module)
        if module in kept or module in FROZEN or path is None:
            continue  # numpy, staticrec, a built-in module, or a name inside a module
        kept.add(module)
        package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
        pending |= imported_modules(official.read(path), package, top_level=True) - kept
    return kept


def cut_stdlib(official: Path, target: Path, sources: Iterable[tuple[str, bytes]]) -> list[str]:
    """Write the cut ``python_stdlib.zip`` to ``target``; returns the modules kept, sorted."""
    with zipfile.ZipFile(official) as archive:
        kept = stdlib_needed(archive, sources)
    files = {name for module in kept for name in module_files(module)}
    folders = {name.rpartition("/")[0] + "/" for name in files if "/" in name}
    copy_members(official, target, lambda info: info.filename in files | folders)
    return sorted(kept)


def cut_numpy(official: Path, target: Path) -> None:
    """Write numpy's wheel without ``NUMPY_UNUSED`` to ``target``, its RECORD to match."""

    def used(name: str) -> bool:
        return not (name.startswith(NUMPY_UNUSED) or name.endswith(NUMPY_UNUSED_SUFFIXES))

    with zipfile.ZipFile(official) as wheel:
        (record,) = [n for n in wheel.namelist() if n.endswith(".dist-info/RECORD")]
        lines = wheel.read(record).decode().splitlines(keepends=True)
    kept = "".join(line for line in lines if used(line.split(",", 1)[0]))
    copy_members(official, target, lambda info: used(info.filename), {record: kept.encode()})


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


def copy_members(
    source: Path,
    target: Path,
    keep: Callable[[zipfile.ZipInfo], bool],
    replace: dict[str, bytes] | None = None,
) -> None:
    """A zip of the members of ``source`` that ``keep`` accepts, in their order, each copied as
    its compressed bytes with its own date, CRC and attributes (no recompression, so the output
    depends on nothing but the input); the members in ``replace`` get new contents, deflated."""
    replace = replace or {}
    entries, central = bytearray(), bytearray()
    count = 0
    with zipfile.ZipFile(source) as archive, open(source, "rb") as raw:
        for info in archive.infolist():
            if not keep(info):
                continue
            name = info.filename.encode()
            if info.filename in replace:
                data = replace[info.filename]
                crc, size = zlib.crc32(data), len(data)
                packer = zlib.compressobj(9, zlib.DEFLATED, -15)
                body, method = packer.compress(data) + packer.flush(), zipfile.ZIP_DEFLATED
            else:
                raw.seek(info.header_offset)
                header = _LOCAL.unpack(raw.read(_LOCAL.size))
                raw.seek(header[-2] + header[-1], 1)  # the local name and extra field
                body = raw.read(info.compress_size)
                crc, size, method = info.CRC, info.file_size, info.compress_type
            date = (info.date_time[0] - 1980) << 9 | info.date_time[1] << 5 | info.date_time[2]
            time = info.date_time[3] << 11 | info.date_time[4] << 5 | info.date_time[5] // 2
            flags = info.flag_bits & 0x800  # keep only "UTF-8 name"
            offset = len(entries)
            entries += _LOCAL.pack(
                b"PK\3\4", 20, flags, method, time, date, crc, len(body), size, len(name), 0
            )
            entries += name + body
            central += _CENTRAL.pack(
                b"PK\1\2", info.create_version, 20, flags, method, time, date, crc,
                len(body), size, len(name), 0, 0, 0, info.internal_attr, info.external_attr,
                offset,
            )  # fmt: skip
            central += name
            count += 1
    end = _END.pack(b"PK\5\6", 0, 0, count, count, len(central), len(entries), 0)
    target.write_bytes(bytes(entries + central + end))
