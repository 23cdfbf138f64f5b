"""Finding a script directory's revision files and building their graph from the cached index.

:class:`RevisionFiles` is the part of :class:`~dbshift.script.directory.ScriptDirectory` that lists
the version locations, checks the cache (path, size and mtime of every file; see
:mod:`dbshift.script.header`), adopts a whole-graph snapshot when nothing changed, and otherwise
reads each file's header (statically, importing a module only when its header is not plain
literals) and saves the snapshot for the next run.
"""

from __future__ import annotations

import gc
import os
import time

from ..util.exc import CommandError
from .header import _RACY_NS, HeaderCache, read_header
from .loading import load_module_from_path
from .revision import RevisionError
from .script import _UNSET, Script, _script_from_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

# What every snapshot row (a script's __dict__, see ScriptDirectory._scripts_from_snapshot)
# holds.
_SNAPSHOT_KEYS = frozenset(
    (
        "_doc",
        "revision",
        "_down_revision",
        "_versioned",
        "dependencies",
        "_orig_branch_labels",
        "branch_labels",
        "nextrev",
        "_all_nextrev",
    )
)
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
    """Listing and loading of revision files, for :class:`ScriptDirectory` (a mixin: it uses the
    directory's ``dir``, ``sourceless``, ``_version_locations``, ``_map`` and ``_paths``)."""

    def _index_path(self) -> str:
        return os.path.join(os.path.abspath(self.dir), _INDEX_FILE)

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
        sourceless = self.sourceless
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
        if self.recursive_version_locations:
            for sub in subdirs:
                self._scan_dir(sub, found)

    def _script_from_path(
        self, path: str, cache: HeaderCache | None, st: os.stat_result | None = None
    ) -> Script | None:
        dir_, filename = os.path.split(path)
        if self.sourceless:
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
            raise CommandError(f"{err} (in {path})") from err
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
            raise CommandError(f"{err} (in {path})") from err
        if cache is not None:
            cache.store(path, st, script._index_header(header.doc))
        return script

    def _load_revisions(self) -> Iterator[Script]:
        cache = HeaderCache(self._index_path(), os.path.realpath(self.dir))
        self._index = cache
        self._index_signature = None
        self._paths = {}
        quick = None
        if not self.sourceless and not self.recursive_version_locations:
            quick = self._regular_source_files(cache)
        if quick is not None:
            files, keys, found_stats = quick
            signature = self._stat_signature(keys, found_stats)
            graph = cache.graph_for(signature) if signature is not None else None
            if graph is not None:
                scripts = self._scripts_from_snapshot(files, *graph)
                if scripts is not None:
                    yield from scripts
                    return
            stats = dict(zip(files, found_stats))
        else:
            files = self._all_files()
            stats = {}
            signature = None
            if not self.sourceless:
                signature, stats = self._signature(files, cache)
                graph = cache.graph_for(signature) if signature is not None else None
                if graph is not None:
                    scripts = self._scripts_from_snapshot([f for f in files if f in stats], *graph)
                    if scripts is not None:
                        yield from scripts
                        return

        cacheable = signature is not None
        for real in files:
            script = self._script_from_path(real, cache, stats.get(real))
            if script is None:
                continue
            if script._doc is _UNSET:
                cacheable = False  # imported: its header is not plain literals
            other = self._paths.get(script.revision)
            if other is not None:
                raise CommandError(
                    f"Revision {script.revision} is present more than once: in {other} and "
                    f"in {script.path}"
                )
            self._paths[script.revision] = script.path
            yield script
        cache.save()
        if cacheable:
            self._index_signature = signature

    def _all_files(self) -> list[str]:
        """Every candidate file of every version location, each real path once."""
        files: list[str] = []
        seen_files: set[str] = set()
        for location in self._version_locations:
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
        for location in self._version_locations:
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

    def _scripts_from_snapshot(
        self, paths: list[str], blob: bytes, extra: Any
    ) -> list[Script] | None:
        """Hand a graph snapshot to the map, which adopts its scripts as built (links, the
        newest-first order, heads, bases, labels) and makes them only when it needs them:
        ``[]``, the scripts coming through the map's ``_linked_lazy``. ``None`` when the
        snapshot is not one :meth:`_save_snapshot` wrote.

        Each row is the ``__dict__`` of its script, less ``path``: what Revision.__init__ and
        RevisionMap._build set (attributes at their class default are left out). The rows of
        the heads are also in ``extra``, for commands that need those alone."""
        if not (type(extra) is tuple and len(extra) == 8):
            return None
        order, ids, heads, real_heads, bases, real_bases, label_rows, head_rows = extra
        n = len(paths)
        if (
            type(blob) is not bytes
            or type(ids) is not list
            or len(ids) != n
            or (order is not None and len(order) != n)
            or type(head_rows) is not dict
        ):
            return None
        try:
            position = {ids[i]: i for i in head_rows}
        except (IndexError, TypeError):
            return None
        self._index = None  # the rows become the scripts' own dicts: never store them again
        self._paths.update(zip(ids, paths))
        new = Script.__new__
        made: dict[int, Script] = {}

        def load_one(ident: Any) -> Script | None:
            i = position.get(ident)
            if i is None:
                return None
            script = made.get(i)
            if script is None:
                attrs = head_rows[i]
                if type(attrs) is not dict or not _SNAPSHOT_KEYS.issubset(attrs):
                    return None
                attrs["path"] = paths[i]
                script = made[i] = new(Script)
                script.__dict__ = attrs
            return script

        def load_all() -> tuple[list[Script], bool]:
            scripts = self._unmarshal_scripts(paths, blob)
            if scripts is None:  # not the rows _save_snapshot wrote: read the files again
                self._paths = {}
                fresh = [self._script_from_path(p, None) for p in paths]
                scripts = [s for s in fresh if s is not None]
                self._paths.update((s.revision, s.path) for s in scripts)
                return scripts, False
            for i, script in made.items():
                scripts[i] = script
            return scripts, True

        summary = (ids, heads, real_heads, bases, real_bases, label_rows)
        self._map._linked_lazy = (summary, load_all, load_one, order)
        return []

    @staticmethod
    def _unmarshal_scripts(paths: list[str], blob: bytes) -> list[Script] | None:
        """The scripts of the snapshot rows in ``blob``; ``None`` if they are not such rows."""
        import marshal

        # Many small objects and no cycles: no cyclic collection meanwhile (see revision_map).
        collecting = gc.isenabled()
        gc.disable()
        try:
            try:
                rows = marshal.loads(blob)
            except (ValueError, EOFError, TypeError):
                return None
            if type(rows) is not list or len(rows) != len(paths):
                return None
            if rows and not (type(rows[0]) is dict and _SNAPSHOT_KEYS.issubset(rows[0])):
                return None
            scripts: list[Script] = []
            append = scripts.append
            new = Script.__new__
            for path, attrs in zip(paths, rows):
                attrs["path"] = path
                script = new(Script)
                script.__dict__ = attrs
                append(script)
            return scripts
        except TypeError:  # a row that is not a dict
            return None
        finally:
            if collecting:
                gc.enable()

    def _save_snapshot(self) -> None:
        """Store the built graph in the index, for the next run over the same files."""
        signature = self._index_signature
        self._index_signature = None
        rmap = self._map
        if (
            signature is None
            or self._index is None
            or rmap._extra
            or len(rmap._revs) != len(signature[0])
        ):
            return
        revs = list(rmap._revs.values())
        for rev in revs:
            if not isinstance(rev, Script) or rev._doc is _UNSET:
                return
        # one object per id string, so that marshal writes each id once and refers to it
        same = {rev.revision: rev.revision for rev in revs}

        def canonical(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is str:
                return same.get(value, value)
            return tuple(same.get(v, v) for v in value)

        rows = []
        for rev in revs:
            nextrev = frozenset(canonical(rev.nextrev))
            all_nextrev = rev._all_nextrev
            row = {
                "_doc": rev._doc,
                "revision": rev.revision,
                "_down_revision": canonical(rev.down_revision),
                "_versioned": canonical(rev._versioned),
                "dependencies": rev.dependencies,
                "_orig_branch_labels": set(rev._orig_branch_labels),
                "branch_labels": set(rev.branch_labels),
                "nextrev": nextrev,
                "_all_nextrev": (
                    nextrev if all_nextrev == nextrev else frozenset(canonical(all_nextrev))
                ),
            }
            if rev._resolved_dependencies:
                row["_resolved_dependencies"] = canonical(rev._resolved_dependencies)
                row["_normalized_resolved_dependencies"] = canonical(
                    rev._normalized_resolved_dependencies
                )
            rows.append(row)
        summary = rmap._summary()
        index = {rid: i for i, rid in enumerate(summary[0])}
        try:
            order: tuple[int, ...] | None = tuple(
                index[rev.revision] for rev in rmap._all_newest_first()
            )
        except RevisionError:
            order = None
        head_rows = {index[rid]: rows[index[rid]] for rid in (*rmap._heads, *rmap._real_heads_t)}
        self._index.set_graph(signature, rows, (order, *summary, head_rows))
        self._index.save()
