"""Reading a revision file's header without importing it, and caching what was read.

A revision file declares ``revision``, ``down_revision``, ``branch_labels`` and ``depends_on`` as
module-level assignments under its docstring.  :func:`parse_header_source` reads those with
:mod:`ast` from the part of the file above the first ``def``/``class``/decorator (the whole file
only when a later top-level line assigns one of the names), and accepts plain literals only.  When
a value is computed (a name, a call, an assignment inside ``if``), it returns ``None`` and the
caller imports the module instead.

:class:`HeaderCache` stores parsed headers in one :mod:`marshal` file keyed by path (relative to
the environment directory), size and ``st_mtime_ns``, so a second run reads no file bodies at all.
"""

from __future__ import annotations

import marshal
import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    from re import Pattern
    from typing import Any

# ast, io, tokenize and re are imported by the functions that parse a file (typing not at
# all): a run whose headers all come from the cache never needs them.

HEADER_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")

_PATTERNS: list[Pattern[bytes]] = []


def _header_patterns() -> list[Pattern[bytes]]:
    """[the first top-level def/class/decorator, a top-level assignment of a header name]."""
    if not _PATTERNS:
        import re

        _PATTERNS.append(re.compile(rb"^(?:def\s|async\s+def\s|class\s|@)", re.M))
        _PATTERNS.append(
            re.compile(
                rb"^(?:revision|down_revision|branch_labels|depends_on)\s*(?::|=(?!=))", re.M
            )
        )
    return _PATTERNS


def _compound_statements() -> tuple[type, ...]:
    import ast

    return (
        (ast.If, ast.Try, ast.For, ast.While, ast.With, ast.AsyncFor, ast.AsyncWith)
        + ((ast.Match,) if hasattr(ast, "Match") else ())
        + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
    )

# A file modified this recently may change again within the same mtime tick; don't cache it.
_RACY_NS = 2_000_000_000


class RevisionHeader(tuple):
    """The statically readable part of a revision file: ``(revision, down_revision,
    branch_labels, depends_on, doc)``, a named tuple (written out: :mod:`typing` and
    :mod:`collections` stay unimported)."""

    __slots__ = ()

    def __new__(
        cls,
        revision: str,
        down_revision: Any,
        branch_labels: Any = None,
        depends_on: Any = None,
        doc: str | None = None,
    ) -> RevisionHeader:
        return tuple.__new__(cls, (revision, down_revision, branch_labels, depends_on, doc))

    @property
    def revision(self) -> str:
        """The revision id."""
        return self[0]

    @property
    def down_revision(self) -> Any:
        """The parent id(s): ``None``, a string or a tuple."""
        return self[1]

    @property
    def branch_labels(self) -> Any:
        """The branch labels as written (``None``, a string or a tuple)."""
        return self[2]

    @property
    def depends_on(self) -> Any:
        """The ``depends_on`` ids or labels as written."""
        return self[3]

    @property
    def doc(self) -> str | None:
        """The module docstring, ``None`` when there is none."""
        return self[4]

    def __repr__(self) -> str:
        names = ("revision", "down_revision", "branch_labels", "depends_on", "doc")
        return "RevisionHeader(" + ", ".join(f"{k}={v!r}" for k, v in zip(names, self)) + ")"


class _Dynamic(Exception):
    """The header is not made of plain literals; import the module."""


def parse_header_source(source: bytes) -> RevisionHeader | None:
    """Parse the header of a revision file's bytes; ``None`` if it needs importing.

    ``None`` is also returned when ``revision`` or ``down_revision`` is not assigned at module
    level (the caller then imports the module, which reports the problem or supplies the value).
    """
    import ast

    try:
        text = _decode(source)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    first_body, late_assign = _header_patterns()
    cut = first_body.search(source)
    tree = None
    if cut is not None and not late_assign.search(source, cut.start()):
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
    import io
    import tokenize

    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def _decode_prefix(prefix: bytes) -> str | None:
    try:
        return _decode(prefix) if prefix else ""
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def _header_from_tree(tree: ast.Module) -> RevisionHeader:
    import ast

    compound = _compound_statements()
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
        elif isinstance(stmt, compound) and _stores_header_name(stmt):
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
    import ast

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
    import ast

    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) and sub.id in HEADER_NAMES:
            return True
        if isinstance(sub, (ast.Import, ast.ImportFrom)) and any(
            (a.asname or a.name.split(".")[0]) in HEADER_NAMES or a.name == "*" for a in sub.names
        ):
            return True
    return False


#: The names under which a snapshot row holds the file's header: revision, down_revision,
#: branch labels (a set), depends_on, docstring.
ROW_HEADER = ("revision", "_down_revision", "_orig_branch_labels", "dependencies", "_doc")


def _valid_graph(graph: Any) -> bool:
    """A snapshot as :meth:`HeaderCache.set_graph` stores it: ``(keys, sizes, mtimes, rows,
    extra)``, every list as long as ``keys``, the rows marshalled."""
    if not (type(graph) is tuple and len(graph) == 5):
        return False
    keys, sizes, mtimes, rows, _ = graph
    if not (
        type(keys) is list and type(sizes) is list and type(mtimes) is list and type(rows) is bytes
    ):
        return False
    n = len(keys)
    return len(sizes) == n and len(mtimes) == n


def _valid_entry(entry: Any) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == 7
        and isinstance(entry[0], int)
        and isinstance(entry[1], int)
        and isinstance(entry[2], str)
    )


class HeaderCache:
    """A :mod:`marshal` file mapping ``path -> (size, mtime_ns, revision, down_revision,
    branch_labels, depends_on, doc)``.

    Paths under ``base`` (the environment directory) are stored relative to it, so the file
    stays small and survives moving the project. :meth:`lookup` returns a cached header only
    when size and mtime still match; :meth:`save` rewrites the file (atomically, ignoring
    unwritable locations) when anything changed, dropping entries for files that were not seen.

    The file can also hold a snapshot of the whole built graph (:meth:`graph_for`,
    :meth:`set_graph`), valid for one exact signature: the lists of keys, sizes and
    ``st_mtime_ns`` of every revision file in load order. The snapshot has one row per file, a
    dict of attributes that holds the file's header under the names of :data:`ROW_HEADER`
    (kept marshalled, so that a run that needs only a few rows does not unmarshal them all),
    and while it is valid the per-file entries are not stored separately.
    """

    FORMAT = 4

    def __init__(self, path: str | None, base: str | None = None) -> None:
        self.path = path
        self._prefix = os.path.join(base, "") if base else None
        self._raw_entries: dict[str, tuple[Any, ...]] | None = {}
        self._graph: tuple[Any, ...] | None = None
        self._seen: set[str] = set()
        self._seen_keys: list[str] = []
        self._dirty = False
        if path is not None:
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            with open(self.path, "rb") as f:
                data = marshal.loads(f.read())
        except (OSError, ValueError, EOFError, TypeError):
            return
        if not (type(data) is tuple and len(data) == 3 and data[0] == self.FORMAT):
            return
        entries, graph = data[1], data[2]
        if _valid_graph(graph):
            self._graph = graph
        if isinstance(entries, dict):
            self._raw_entries = entries
        elif entries is None and self._graph is not None:
            self._raw_entries = None  # derived from the snapshot when first needed

    def _graph_entries(self) -> dict[str, tuple[Any, ...]]:
        graph = self._graph
        if graph is None:
            return {}
        keys, sizes, mtimes, blob, _ = graph
        entries = {}
        rev, down, labels, deps, doc = ROW_HEADER
        try:
            rows = marshal.loads(blob)
            for key, size, mtime, row in zip(keys, sizes, mtimes, rows):
                entries[key] = (
                    size,
                    mtime,
                    row[rev],
                    row[down],
                    tuple(sorted(row[labels])) or None,
                    row[deps],
                    row[doc],
                )
        except (TypeError, KeyError, ValueError, EOFError):
            return {}
        return entries

    @property
    def _entries(self) -> dict[str, tuple[Any, ...]]:
        entries = self._raw_entries
        if entries is None:
            entries = self._raw_entries = self._graph_entries()
        return entries

    def key(self, path: str) -> str:
        """How ``path`` is stored: relative to the environment directory when under it."""
        return self._key(path)

    def graph_for(self, signature: tuple[list[str], list[int], list[int]]) -> Any:
        """``(rows, extra)`` of the snapshot stored for exactly ``signature`` (the lists of
        keys, sizes and mtimes of every revision file, in load order), else ``None``; the rows
        as :func:`marshal.dumps` made them."""
        graph = self._graph
        if graph is None:
            return None
        keys, sizes, mtimes = signature
        if mtimes != graph[2] or sizes != graph[1] or keys != graph[0]:
            return None
        self._seen_keys = keys  # added to _seen by save(), the only reader
        return graph[3], graph[4]

    def set_graph(
        self, signature: tuple[list[str], list[int], list[int]], rows: list[dict[str, Any]],
        extra: Any = None,
    ) -> None:
        """Store a snapshot of the built graph for ``signature``: one row per file, a dict
        with (at least) the file's header under the names of :data:`ROW_HEADER` (branch labels
        as a set), and ``extra``, whatever else the caller wants back."""
        keys, sizes, mtimes = signature
        new = (list(keys), list(sizes), list(mtimes), marshal.dumps(list(rows)), extra)
        if self._graph == new:
            return
        self._entries  # noqa: B018 - keep the per-file entries of the previous snapshot
        self._graph = new
        self._dirty = True

    def _key(self, path: str) -> str:
        prefix = self._prefix
        if prefix is not None and path.startswith(prefix):
            return path[len(prefix) :]
        return path

    def lookup_entry(self, path: str, st: os.stat_result) -> tuple[Any, ...] | None:
        """``(revision, down_revision, branch_labels, depends_on, doc)`` cached for ``path``
        if its size and mtime are unchanged."""
        key = self._key(path)
        self._seen.add(key)
        entry = self._entries.get(key)
        if (
            entry is None
            or not _valid_entry(entry)
            or entry[0] != st.st_size
            or entry[1] != st.st_mtime_ns
        ):
            return None
        return entry[2:]

    def lookup(self, path: str, st: os.stat_result) -> RevisionHeader | None:
        """The cached header of ``path`` if its size and mtime are unchanged."""
        entry = self.lookup_entry(path, st)
        if entry is None:
            return None
        return RevisionHeader(*entry)

    def store(self, path: str, st: os.stat_result, header: RevisionHeader) -> None:
        """Remember ``header`` for ``path`` unless the file was modified too recently to trust."""
        key = self._key(path)
        self._seen.add(key)
        if time.time_ns() - st.st_mtime_ns < _RACY_NS:
            if key in self._entries:
                del self._entries[key]
                self._dirty = True
            return
        self._entries[key] = (
            st.st_size,
            st.st_mtime_ns,
            header.revision,
            header.down_revision,
            header.branch_labels,
            header.depends_on,
            header.doc,
        )
        self._dirty = True

    def forget(self, path: str) -> None:
        """Drop ``path`` (its header could not be read statically)."""
        key = self._key(path)
        self._seen.add(key)
        if self._entries.pop(key, None) is not None:
            self._dirty = True

    def save(self) -> None:
        """Write the cache if it changed; drop entries for files not seen since loading."""
        if self.path is None:
            return
        if self._raw_entries is None and not self._dirty:
            return  # served from the snapshot; nothing changed
        if self._seen_keys:
            self._seen.update(self._seen_keys)
            self._seen_keys = []
        if len(self._seen) != len(self._entries) or not self._seen.issuperset(self._entries):
            for key in set(self._entries) - self._seen:
                del self._entries[key]
                self._dirty = True
        if not self._dirty:
            return
        graph = self._graph
        entries: dict[str, tuple[Any, ...]] | None = self._entries
        if graph is not None:
            if self._graph_entries() == entries:
                entries = None  # the snapshot carries them
            else:
                graph = None
                self._graph = None
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(marshal.dumps((self.FORMAT, entries, graph)))
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
