"""Reading a revision file's header without importing it, and caching what was read.

A revision file declares ``revision``, ``down_revision``, ``branch_labels`` and ``depends_on`` as
module-level assignments under its docstring.  :func:`parse_header_source` reads those with
:mod:`ast` from the part of the file above the first ``def``/``class``/decorator (the whole file
only when a later top-level line assigns one of the names), and accepts plain literals only.  When
a value is computed (a name, a call, an assignment inside ``if``), it returns ``None`` and the
caller imports the module instead.

:class:`HeaderCache` stores parsed headers in a JSON file keyed by path, size and ``st_mtime_ns``,
so a second run reads no file bodies at all.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import time
import tokenize
from dataclasses import dataclass
from typing import Any

HEADER_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")

_FIRST_BODY = re.compile(rb"^(?:def\s|async\s+def\s|class\s|@)", re.M)
_LATE_ASSIGN = re.compile(
    rb"^(?:revision|down_revision|branch_labels|depends_on)\s*(?::|=(?!=))", re.M
)
_COMPOUND = (
    (ast.If, ast.Try, ast.For, ast.While, ast.With, ast.AsyncFor, ast.AsyncWith)
    + ((ast.Match,) if hasattr(ast, "Match") else ())
    + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
)
# A file modified this recently may change again within the same mtime tick; don't cache it.
_RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class RevisionHeader:
    """The statically readable part of a revision file."""

    revision: str
    down_revision: Any
    branch_labels: Any
    depends_on: Any
    doc: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "down_revision": _jsonable(self.down_revision),
            "branch_labels": _jsonable(self.branch_labels),
            "depends_on": _jsonable(self.depends_on),
            "doc": self.doc,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RevisionHeader:
        return cls(
            revision=data["revision"],
            down_revision=_from_jsonable(data["down_revision"]),
            branch_labels=_from_jsonable(data["branch_labels"]),
            depends_on=_from_jsonable(data["depends_on"]),
            doc=data["doc"],
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return {"seq": list(value)}
    return value


def _from_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(value["seq"])
    return value


class _Dynamic(Exception):
    """The header is not made of plain literals; import the module."""


def parse_header_source(source: bytes) -> RevisionHeader | None:
    """Parse the header of a revision file's bytes; ``None`` if it needs importing.

    ``None`` is also returned when ``revision`` or ``down_revision`` is not assigned at module
    level (the caller then imports the module, which reports the problem or supplies the value).
    """
    try:
        text = _decode(source)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    cut = _FIRST_BODY.search(source)
    tree = None
    if cut is not None and not _LATE_ASSIGN.search(source, cut.start()):
        prefix = _decode_prefix(source[: cut.start()])
        if prefix is not None:
            try:
                tree = ast.parse(prefix)
            except SyntaxError:
                tree = None
    if tree is None:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return None
    try:
        return _header_from_tree(tree)
    except _Dynamic:
        return None


def _decode(source: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def _decode_prefix(prefix: bytes) -> str | None:
    try:
        return _decode(prefix) if prefix else ""
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def _header_from_tree(tree: ast.Module) -> RevisionHeader:
    values: dict[str, Any] = {}
    doc: str | None = None
    for index, stmt in enumerate(tree.body):
        if (
            index == 0
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            doc = stmt.value.value
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    if target.id in HEADER_NAMES:
                        values[target.id] = _literal(stmt.value)
                elif _stores_header_name(target):
                    raise _Dynamic
        elif isinstance(stmt, ast.AnnAssign):
            if isinstance(stmt.target, ast.Name) and stmt.target.id in HEADER_NAMES:
                if stmt.value is not None:
                    values[stmt.target.id] = _literal(stmt.value)
        elif isinstance(stmt, ast.AugAssign):
            if _stores_header_name(stmt.target):
                raise _Dynamic
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                name = alias.asname or alias.name.split(".")[0]
                if name in HEADER_NAMES or alias.name == "*":
                    raise _Dynamic
        elif isinstance(stmt, _COMPOUND) and _stores_header_name(stmt):
            raise _Dynamic
    if "revision" not in values or "down_revision" not in values:
        raise _Dynamic
    if not isinstance(values["revision"], str):
        raise _Dynamic
    return RevisionHeader(
        revision=values["revision"],
        down_revision=values["down_revision"],
        branch_labels=values.get("branch_labels"),
        depends_on=values.get("depends_on"),
        doc=doc,
    )


def _literal(node: ast.AST) -> Any:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise _Dynamic from None
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _Dynamic


def _stores_header_name(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) and sub.id in HEADER_NAMES:
            return True
        if isinstance(sub, (ast.Import, ast.ImportFrom)) and any(
            (a.asname or a.name.split(".")[0]) in HEADER_NAMES or a.name == "*" for a in sub.names
        ):
            return True
    return False


class HeaderCache:
    """A JSON file mapping ``path -> (size, mtime_ns, header)``.

    :meth:`lookup` returns a cached header only when size and mtime still match; :meth:`save`
    rewrites the file (atomically, ignoring unwritable locations) when anything changed, dropping
    entries for files that were not seen.
    """

    FORMAT = 1

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._entries: dict[str, list[Any]] = {}
        self._seen: set[str] = set()
        self._dirty = False
        if path is not None:
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("format") == self.FORMAT:
            entries = data.get("entries")
            if isinstance(entries, dict):
                self._entries = entries

    def lookup(self, path: str, st: os.stat_result) -> RevisionHeader | None:
        """The cached header of ``path`` if its size and mtime are unchanged."""
        self._seen.add(path)
        entry = self._entries.get(path)
        if not entry or entry[0] != st.st_size or entry[1] != st.st_mtime_ns:
            return None
        try:
            return RevisionHeader.from_json(entry[2])
        except (KeyError, TypeError, IndexError):
            return None

    def store(self, path: str, st: os.stat_result, header: RevisionHeader) -> None:
        """Remember ``header`` for ``path`` unless the file was modified too recently to trust."""
        self._seen.add(path)
        if time.time_ns() - st.st_mtime_ns < _RACY_NS:
            if path in self._entries:
                del self._entries[path]
                self._dirty = True
            return
        self._entries[path] = [st.st_size, st.st_mtime_ns, header.to_json()]
        self._dirty = True

    def forget(self, path: str) -> None:
        """Drop ``path`` (its header could not be read statically)."""
        self._seen.add(path)
        if self._entries.pop(path, None) is not None:
            self._dirty = True

    def save(self) -> None:
        """Write the cache if it changed; drop entries for files not seen since loading."""
        if self.path is None:
            return
        stale = set(self._entries) - self._seen
        if stale:
            for key in stale:
                del self._entries[key]
            self._dirty = True
        if not self._dirty:
            return
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"format": self.FORMAT, "entries": self._entries}, f)
            os.replace(tmp, self.path)
            self._dirty = False
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def read_header(path: str, st: os.stat_result, cache: HeaderCache | None) -> RevisionHeader | None:
    """The header of the ``.py`` file at ``path``: from ``cache`` when fresh, else parsed.

    ``None`` means the module must be imported to learn its header.
    """
    if cache is not None:
        cached = cache.lookup(path, st)
        if cached is not None:
            return cached
    with open(path, "rb") as f:
        source = f.read()
    header = parse_header_source(source)
    if cache is not None:
        if header is None:
            cache.forget(path)
        else:
            cache.store(path, st, header)
    return header
