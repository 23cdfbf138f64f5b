"""The revision files of a script directory: finding them and making their scripts.

:class:`RevisionFiles` is what a :class:`~dbshift.script.directory.ScriptDirectory` loads its
revision map with. It lists the version locations, checks the header cache (path, size and mtime
of every file; see :mod:`dbshift.script.header`), hands over the stored graph snapshot when
nothing changed (see :mod:`dbshift.script.graph_snapshot`), and otherwise reads each file's
header (statically, importing a module only when its header is not plain literals) and, once
the map is built, stores the snapshot for the next run.
"""

from __future__ import annotations

import os
import time

from ..util.exc import CommandError
from .graph_snapshot import graph_snapshot, snapshot_rows
from .header import _RACY_NS, HeaderCache, read_header
from .loading import load_module_from_path
from .revision.errors import RevisionError
from .script import _UNSET, Script, _script_from_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    from .revision.graph import GraphSnapshot
    from .revision.revision_map import RevisionMap

    class _Directory(Protocol):
        """What the files are read with: the script directory's settings."""

        dir: str
        sourceless: bool
        recursive_version_locations: bool

        @property
        def _version_locations(self) -> tuple[str, ...]: ...


_INDEX_FILE = os.path.join("__pycache__", "dbshift_revision_index.bin")


def _source_name(name: str) -> str | None:
    """``re.match(r"(?!\\.\\#|__init__)(.*\\.py)$", name).group(1)``: a revision source file
    name (``.py``, not ``__init__*``, not an editor's ``.#`` lock file), else ``None``."""
    if "\n" in name:  # where "." and "$" of the pattern differ from plain string tests
        import re

        m = re.match(r"(?!\.\#|__init__)(.*\.py)$", name)
        return m.group(1) if m else None
    if name.endswith(".py") and not name.startswith((".#", "__init__")):
        return name
    return None


def _sourceless_match(name: str) -> tuple[str, str | None] | None:
    """(source name, ``"c"``/``"o"``/``None``) of a ``.py``/``.pyc``/``.pyo`` revision file."""
    import re

    m = re.match(r"(?!\.\#|__init__)(.*\.py)(c|o)?$", name)
    return (m.group(1), m.group(2)) if m else None


class RevisionFiles:
    """The revision files of one script directory, read with the directory's current ``dir``,
    ``sourceless``, ``recursive_version_locations`` and version locations.

    ``paths`` maps each loaded revision id to its file.
    """

    def __init__(self, directory: _Directory) -> None:
        self._directory = directory
        self.paths: dict[str, str] = {}
        self._index: HeaderCache | None = None
        self._index_signature: tuple[Any, ...] | None = None

    def _index_path(self) -> str:
        return os.path.join(os.path.abspath(self._directory.dir), _INDEX_FILE)

    def _list_files(self, location: str) -> list[str]:
        """Real paths of the candidate files under ``location``: sorted, directory by directory
        (sub-directories only with ``recursive_version_locations``)."""
        found: list[str] = []
        self._scan_dir(location, found)
        return found

    def _scan_dir(self, directory: str, found: list[str]) -> None:
        real_dir = os.path.realpath(directory)
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            return
        subdirs = []
        names = set()
        prefix = os.path.join(real_dir, "")
        sourceless = self._directory.sourceless
        for entry in entries:
            if entry.is_dir():
                if entry.name != "__pycache__" and not entry.is_symlink():
                    subdirs.append(entry.path)
                continue
            if sourceless:
                names.add(entry.name.split(".")[0])
            if entry.is_symlink():
                found.append(os.path.realpath(entry.path))
            else:
                found.append(prefix + entry.name)
        if sourceless:
            cache_dir = os.path.join(real_dir, "__pycache__")
            if os.path.isdir(cache_dir):
                found.extend(
                    os.path.join(cache_dir, f)
                    for f in sorted(os.listdir(cache_dir))
                    if f.split(".")[0] not in names
                )
        if self._directory.recursive_version_locations:
            for sub in subdirs:
                self._scan_dir(sub, found)

    def script_from_path(
        self, path: str, cache: HeaderCache | None, st: os.stat_result | None = None
    ) -> Script | None:
        """The script of the file at ``path`` (``None`` if it is not a revision file): its
        header from ``cache``, else read statically, else its module imported; CommandError
        when it cannot be imported or names no revision id, the graph's own error (a
        ``RevisionError``, e.g. ``LoopDetected``, as Alembic raises it) naming the file when its
        header is not a valid revision."""
        dir_, filename = os.path.split(path)
        if self._directory.sourceless:
            m = _sourceless_match(filename)
            if m is None:
                return None
            source, compiled = m
        elif _source_name(filename) is None:
            return None
        else:
            compiled = None
        try:
            if compiled:
                py = os.path.join(dir_, source)
                if os.path.exists(py) or (compiled == "o" and os.path.exists(py + "c")):
                    return None
                return _script_from_module(load_module_from_path(path), path)
            if st is None:
                st = os.stat(path)
            if cache is not None:
                entry = cache.lookup_entry(path, st)
                if entry is not None:
                    return Script._from_index(path, *entry)
            header = read_header(path, st, None)
            if header is None:
                if cache is not None:
                    cache.forget(path)
                return _script_from_module(load_module_from_path(path), path)
        except ImportError as err:
            raise CommandError(f"Could not import revision file {path}: {err}") from err
        except RevisionError as err:
            raise _naming_file(err, path) from None
        try:
            script = Script(
                None,
                header.revision,
                path,
                down_revision=header.down_revision,
                branch_labels=header.branch_labels,
                depends_on=header.depends_on,
                doc=header.doc,
            )
        except RevisionError as err:
            raise _naming_file(err, path) from None
        if cache is not None:
            cache.store(path, st, script._index_header(header.doc))
        return script

    def load(self) -> list[Script] | GraphSnapshot:
        """The scripts of the version locations, or a snapshot of their graph when the cache
        holds one for exactly these files: what the directory's revision map is built from."""
        directory = self._directory
        cache = HeaderCache(self._index_path(), os.path.realpath(directory.dir))
        self._index = cache
        self._index_signature = None
        self.paths = {}
        quick = None
        if not directory.sourceless and not directory.recursive_version_locations:
            quick = self._regular_source_files(cache)
        if quick is not None:
            files, keys, found_stats = quick
            signature = self._stat_signature(keys, found_stats)
            graph = cache.graph_for(signature) if signature is not None else None
            if graph is not None:
                snapshot = self._snapshot(files, *graph)
                if snapshot is not None:
                    return snapshot
            stats = dict(zip(files, found_stats))
        else:
            files = self._all_files()
            stats = {}
            signature = None
            if not directory.sourceless:
                signature, stats = self._signature(files, cache)
                graph = cache.graph_for(signature) if signature is not None else None
                if graph is not None:
                    snapshot = self._snapshot([f for f in files if f in stats], *graph)
                    if snapshot is not None:
                        return snapshot

        cacheable = signature is not None
        scripts: list[Script] = []
        for real in files:
            script = self.script_from_path(real, cache, stats.get(real))
            if script is None:
                continue
            if not script.revision:
                raise CommandError(
                    f"Revision file {script.path} has an empty revision id (revision = ''); "
                    "Alembic would take it for the base and skip it and every revision after "
                    "it without a word"
                )
            if script._doc is _UNSET:
                cacheable = False  # imported: its header is not plain literals
            other = self.paths.get(script.revision)
            if other is not None:
                # Alembic warns and goes on with the file loaded last; so does dbshift, and
                # the graph is not cached, so that every run warns again.
                import warnings

                warnings.warn(
                    f"Revision {script.revision} is present more than once: in {other} and "
                    f"in {script.path}; using {script.path}",
                    stacklevel=2,
                )
                scripts = [s for s in scripts if s.revision != script.revision]
                cacheable = False
            self.paths[script.revision] = script.path
            scripts.append(script)
        cache.save()
        if cacheable:
            self._index_signature = signature
        return scripts

    def _all_files(self) -> list[str]:
        """Every candidate file of every version location, each real path once."""
        files: list[str] = []
        seen_files: set[str] = set()
        for location in self._directory._version_locations:
            if not os.path.exists(location):
                continue
            for real in self._list_files(location):
                if real in seen_files:
                    import warnings

                    warnings.warn(
                        f"File {real} loaded twice! ignoring. Please ensure version_locations "
                        "is unique.",
                        stacklevel=3,
                    )
                    continue
                seen_files.add(real)
                files.append(real)
        return files

    def _regular_source_files(
        self, cache: HeaderCache
    ) -> tuple[list[str], list[str], list[os.stat_result]] | None:
        """(real paths, index keys, ``lstat`` results) of the revision source files, in load
        order, when
        every one is a plain file in its version location (no symlink, no directory named
        ``*.py``, no location listed twice, no odd file name): what :meth:`_all_files`
        would find, less the files that are not revision sources, with one system call per
        file. ``None`` otherwise; the caller then takes the general way."""
        if os.stat not in os.supports_dir_fd or os.listdir not in os.supports_fd:
            return None
        paths: list[str] = []
        keys: list[str] = []
        found: list[os.stat_result] = []
        real_dirs: set[str] = set()
        stat = os.stat
        for location in self._directory._version_locations:
            if not os.path.exists(location):
                continue
            real_dir = os.path.realpath(location)
            if real_dir in real_dirs:
                return None
            real_dirs.add(real_dir)
            try:
                fd = os.open(location, os.O_RDONLY)
            except OSError:
                return None
            try:
                names = sorted(os.listdir(fd))
                if "\n" in "\0".join(names):
                    return None  # see _source_name
                names = [
                    n for n in names if n.endswith(".py") and not n.startswith((".#", "__init__"))
                ]
                sts = [stat(n, dir_fd=fd, follow_symlinks=False) for n in names]
            except OSError:
                return None
            finally:
                os.close(fd)
            if {st.st_mode & 0o170000 for st in sts} - {0o100000}:
                return None  # a symlink, a directory, ...: see _scan_dir
            prefix = os.path.join(real_dir, "")
            paths += [prefix + n for n in names]
            key_prefix = cache.key(prefix)
            keys += [key_prefix + n for n in names]
            found += sts
        return paths, keys, found

    @staticmethod
    def _stat_signature(
        keys: list[str], stats: list[os.stat_result]
    ) -> tuple[list[str], list[int], list[int]] | None:
        """``(keys, sizes, mtimes_ns)`` of the files, or ``None`` when one was modified too
        recently to trust its mtime."""
        mtimes = [st.st_mtime_ns for st in stats]
        if mtimes and time.time_ns() - max(mtimes) < _RACY_NS:
            return None
        return keys, [st.st_size for st in stats], mtimes

    @staticmethod
    def _signature(
        files: list[str], cache: HeaderCache
    ) -> tuple[tuple[list[str], list[int], list[int]] | None, dict[str, os.stat_result]]:
        """``(keys, sizes, mtimes_ns)`` of the revision source files among ``files`` (``None``
        when one was modified too recently to trust its mtime), and their stat results."""
        stats: dict[str, os.stat_result] = {}
        keys: list[str] = []
        sizes: list[int] = []
        mtimes: list[int] = []
        # stat relative to an open directory: the kernel need not walk each long path again
        use_fd = os.stat in os.supports_dir_fd
        dirs: dict[str, tuple[Any, str]] = {}
        try:
            for real in files:
                dir_, _, name = real.rpartition(os.sep)
                if _source_name(name) is None:
                    continue
                found = dirs.get(dir_)
                if found is None:
                    fd = os.open(dir_ or os.sep, os.O_RDONLY) if use_fd else None
                    found = dirs[dir_] = (fd, cache.key(real)[: -len(name)])
                fd, key_prefix = found
                st = os.stat(name, dir_fd=fd) if fd is not None else os.stat(real)
                stats[real] = st
                keys.append(key_prefix + name)
                sizes.append(st.st_size)
                mtimes.append(st.st_mtime_ns)
        finally:
            for fd, _ in dirs.values():
                if fd is not None:
                    os.close(fd)
        if mtimes and time.time_ns() - max(mtimes) < _RACY_NS:
            return None, stats
        return (keys, sizes, mtimes), stats

    # -- the graph snapshot ----------------------------------------------------------------------

    def _snapshot(self, paths: list[str], blob: bytes, extra: Any) -> GraphSnapshot | None:
        """The stored graph over the files ``paths`` for the map to adopt (see
        :func:`~dbshift.script.graph_snapshot.graph_snapshot`); ``None`` when it is not one
        :meth:`save_snapshot` wrote."""
        snapshot = graph_snapshot(paths, blob, extra, self._reread)
        if snapshot is None:
            return None
        self._index = None  # the rows become the scripts' own dicts: never store them again
        self.paths.update(zip(extra[1], paths))
        return snapshot

    def _reread(self, paths: list[str]) -> list[Script]:
        """The scripts of ``paths`` read from the files again (snapshot rows were unreadable)."""
        self.paths = {}
        fresh = [self.script_from_path(p, None) for p in paths]
        scripts = [s for s in fresh if s is not None]
        self.paths.update((s.revision, s.path) for s in scripts)
        return scripts

    def save_snapshot(self, rmap: RevisionMap) -> None:
        """Store the graph ``rmap`` built from the last :meth:`load`, for the next run over the
        same files (only when every file was read from its header and none changed meanwhile)."""
        signature = self._index_signature
        self._index_signature = None
        if signature is None or self._index is None:
            return
        if len(rmap.graph.revs) != len(signature[0]):
            return
        stored = snapshot_rows(rmap)
        if stored is None:
            return
        rows, extra = stored
        self._index.set_graph(signature, rows, extra)
        self._index.save()


def _naming_file(err: RevisionError, path: str) -> RevisionError:
    """``err`` with ``path`` added to its message (the class stays Alembic's)."""
    if err.args:
        err.args = (f"{err.args[0]} (in {path})", *err.args[1:])
    err.files_named = True  # type: ignore[attr-defined]
    return err
