"""The script directory: finding revision files, reading their headers, writing new ones.

:class:`ScriptDirectory` is what ``alembic.script.ScriptDirectory`` is: the environment folder
(``env.py``, ``script.py.mako``) plus its version locations.  It builds the revision graph from
the files' headers, read statically (see :mod:`dbshift.script.header`) and cached, so listing
heads never imports a revision module.  A :class:`Script` imports its module only when something
asks for ``script.module`` (to run ``upgrade()``/``downgrade()``).
"""

from __future__ import annotations

import gc
import os
import sys
import time

from ..util.exc import CommandError
from .header import _RACY_NS, HeaderCache, read_header
from .loading import coerce_resource_to_filename, load_module_from_path, load_python_file
from .revision import (
    MultipleHeads,
    RangeNotAncestorError,
    ResolutionError,
    RevisionError,
    RevisionMap,
    format_as_comma,
    to_tuple,
    tuple_rev_as_scalar,
)
from .script import _UNSET, Script, _script_from_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterator, Mapping, Sequence
    from types import TracebackType
    from typing import Any

# Modules needed only to load a revision module or to write a new revision (importlib.util,
# dbshift.compat, datetime, tempfile, warnings) are imported where they are used, and neither
# typing nor re nor contextlib is imported at all on the way to a graph command's answer
# (the functions that need re import it themselves).


_DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"
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


class _status:  # noqa: N801 - used like the function it replaces
    """``with _status("Generating x", quiet):`` prints ``  Generating x ...  done`` (or
    ``  FAILED``) around the block."""

    def __init__(self, message: str, quiet: bool) -> None:
        self.message = message
        self.quiet = quiet

    def __enter__(self) -> None:
        if not self.quiet:
            sys.stdout.write(f"  {self.message} ...")
            sys.stdout.flush()

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if not self.quiet:
            sys.stdout.write("  FAILED\n" if exc_type is not None else "  done\n")


# --------------------------------------------------------------------------------------------
# ScriptDirectory


class ScriptDirectory:
    """The migration environment folder and its revision files.

    ``dir`` holds ``env.py`` and ``script.py.mako``; revisions live in ``dir/versions`` or in the
    ``version_locations`` given.  Errors from the revision graph surface as
    :class:`~dbshift.util.exc.CommandError` with one-line messages.
    """

    def __init__(
        self,
        dir: str,  # noqa: A002 - Alembic's parameter name
        file_template: str = _DEFAULT_FILE_TEMPLATE,
        truncate_slug_length: int | None = 40,
        version_locations: Sequence[str] | None = None,
        sourceless: bool = False,
        output_encoding: str = "utf-8",
        timezone: str | None = None,
        hooks: Sequence[Mapping[str, Any]] = (),
        recursive_version_locations: bool = False,
        messaging_opts: Mapping[str, Any] | None = None,
    ) -> None:
        self.dir = dir
        self.file_template = file_template
        self.version_locations = list(version_locations) if version_locations else None
        self.truncate_slug_length = truncate_slug_length or 40
        self.sourceless = sourceless
        self.output_encoding = output_encoding
        self.timezone = timezone
        self.hooks = list(hooks or ())
        self.recursive_version_locations = recursive_version_locations
        self.messaging_opts: Mapping[str, Any] = messaging_opts or {"quiet": False}
        self._paths: dict[str, str] = {}
        self._index: HeaderCache | None = None
        self._index_signature: tuple[Any, ...] | None = None
        self._map = RevisionMap(self._load_revisions)
        self._map_checked = False
        if not os.access(dir, os.F_OK):
            raise CommandError(
                f"Path doesn't exist: {os.path.abspath(dir)!r}.  Please use the 'init' command "
                "to create a new scripts folder."
            )

    @property
    def hook_config(self) -> list[Mapping[str, Any]]:
        """The post-write hook configurations (Alembic's name for :attr:`hooks`)."""
        return self.hooks

    @classmethod
    def from_config(cls, config: Any) -> ScriptDirectory:
        """Build from a :class:`dbshift.config.Config` (``script_location`` and friends)."""
        location = config.get_alembic_option("script_location")
        if location is None:
            raise CommandError("No 'script_location' key found in configuration.")
        raw_tsl = config.get_alembic_option("truncate_slug_length")
        try:
            tsl = int(raw_tsl) if raw_tsl is not None else None
        except (TypeError, ValueError):
            raise CommandError(
                f"truncate_slug_length must be an integer, got {raw_tsl!r}"
            ) from None
        prepend = getattr(config, "get_prepend_sys_paths_list", None)
        if prepend is not None:
            paths = prepend()
            if paths:
                sys.path[:0] = paths
        return cls(
            coerce_resource_to_filename(location),
            file_template=config.get_alembic_option("file_template", _DEFAULT_FILE_TEMPLATE),
            truncate_slug_length=tsl,
            sourceless=config.get_alembic_boolean_option("sourceless"),
            output_encoding=config.get_alembic_option("output_encoding", "utf-8"),
            version_locations=config.get_version_locations_list(),
            timezone=config.get_alembic_option("timezone"),
            hooks=config.get_hooks_list(),
            recursive_version_locations=config.get_alembic_boolean_option(
                "recursive_version_locations"
            ),
            messaging_opts=config.messaging_opts,
        )

    # -- locations -------------------------------------------------------------------------------

    @property
    def _version_locations(self) -> tuple[str, ...]:
        if self.version_locations:
            return tuple(
                os.path.abspath(coerce_resource_to_filename(loc)) for loc in self.version_locations
            )
        return (os.path.abspath(os.path.join(self.dir, "versions")),)

    @property
    def versions(self) -> str:
        """The one version directory; CommandError when several are configured."""
        locations = self._version_locations
        if len(locations) > 1:
            raise CommandError("Multiple version_locations present")
        return locations[0]

    @property
    def env_py_location(self) -> str:
        """Absolute path of ``env.py``."""
        return os.path.abspath(os.path.join(self.dir, "env.py"))

    def run_env(self) -> None:
        """Execute ``env.py`` as a module (it calls back into ``dbshift.context``)."""
        load_python_file(self.dir, "env.py")

    # -- loading ---------------------------------------------------------------------------------

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

    @property
    def revision_map(self) -> RevisionMap:
        """The :class:`RevisionMap` of every revision file (built on first use)."""
        if not self._map_checked:
            # Loading makes thousands of small objects and no garbage cycles: the cyclic
            # collector would only walk them again and again while they are made.
            collecting = gc.isenabled()
            gc.disable()
            try:
                with self._catch_revision_errors():
                    self._map._ensure()
            finally:
                if collecting:
                    gc.enable()
            self._map_checked = True
            self._save_snapshot()
        return self._map

    # -- errors ----------------------------------------------------------------------------------

    def _catch_revision_errors(
        self,
        ancestor: str | None = None,
        multiple_heads: str | None = None,
        start: str | None = None,
        end: str | None = None,
        resolution: str | None = None,
    ) -> _RevisionErrors:
        """A context manager turning the graph's errors into one-line CommandErrors."""
        return _RevisionErrors(self, ancestor, multiple_heads, start, end, resolution)

    def _with_paths(self, err: RevisionError) -> str:
        ids = getattr(err, "revisions", None) or []
        paths = [self._paths[i] for i in ids if i in self._paths][:5]
        msg = str(err)
        if paths:
            msg += f" (files: {', '.join(paths)})"
        return msg

    # -- graph access ----------------------------------------------------------------------------

    def walk_revisions(self, base: str = "base", head: str = "heads") -> Iterator[Script]:
        """Every script from ``head`` down to ``base`` (inclusive), newest first."""
        rmap = self.revision_map
        with self._catch_revision_errors(start=base, end=head):
            if base == "base" and head == "heads":
                revs = rmap._all_newest_first()
            else:
                revs = list(
                    rmap.iterate_revisions(
                        head, base, inclusive=True, assert_relative_length=False
                    )
                )
        yield from revs  # type: ignore[misc]

    def get_revisions(self, id_: Any) -> tuple[Script | None, ...]:
        """All scripts an identifier (or several) names; ``()`` for ``base``."""
        rmap = self.revision_map
        with self._catch_revision_errors():
            return rmap.get_revisions(id_)  # type: ignore[return-value]

    def get_all_current(self, id_: Any) -> set[Script]:
        """The branch tips at or below the given revision(s)."""
        rmap = self.revision_map
        with self._catch_revision_errors():
            return rmap.get_all_current(id_)  # type: ignore[return-value]

    def get_revision(self, id_: Any) -> Script | None:
        """The one script ``id_`` names (``None`` for ``base``)."""
        rmap = self.revision_map
        with self._catch_revision_errors():
            return rmap.get_revision(id_)  # type: ignore[return-value]

    def as_revision_number(self, id_: Any) -> Any:
        """The full id for ``id_`` (a tuple of ids for ``heads``, ``None`` for base)."""
        rmap = self.revision_map
        with self._catch_revision_errors():
            ids, _ = rmap._resolve_revision_number(id_)
            if not ids:
                return None
            if id_ == "heads":
                return ids
            rev = rmap._revision_for_ident(ids[0])
            return rev.revision if rev is not None else None

    def iterate_revisions(self, upper: Any, lower: Any, **kw: Any) -> Iterator[Script]:
        """Scripts from ``upper`` down to ``lower``, newest first (see RevisionMap)."""
        rmap = self.revision_map
        with self._catch_revision_errors(start=lower, end=upper):
            revs = list(rmap.iterate_revisions(upper, lower, **kw))
        yield from revs  # type: ignore[misc]

    def get_current_head(self) -> str | None:
        """The single head id; CommandError if the directory has several heads."""
        rmap = self.revision_map
        with self._catch_revision_errors(
            multiple_heads=(
                "The script directory has multiple heads (due to branching).Please use "
                "get_heads(), or merge the branches using alembic merge."
            )
        ):
            return rmap.get_current_head()

    def get_heads(self, consider_depends_on: bool = False) -> list[str]:
        """Head ids; with ``consider_depends_on``, only heads nothing depends on."""
        rmap = self.revision_map
        return list(rmap.real_heads if consider_depends_on else rmap.heads)

    def get_base(self) -> str | None:
        """The single base id; CommandError if there are several."""
        bases = self.get_bases()
        if len(bases) > 1:
            raise CommandError("The script directory has multiple bases. Please use get_bases().")
        return bases[0] if bases else None

    def get_bases(self) -> list[str]:
        """Ids of all revisions whose ``down_revision`` is ``None``."""
        return list(self.revision_map.bases)

    def upgrade_revisions(self, destination: Any, current_heads: Any) -> list[Script]:
        """Scripts to run to upgrade from ``current_heads`` to ``destination``, base first.

        ``destination`` is any identifier: ``heads``, ``head``, ``label@head``, a (partial) id,
        or a relative ``+N`` taken from ``current_heads``.
        """
        rmap = self.revision_map
        with self._catch_revision_errors(
            ancestor="Destination %(end)s is not a valid upgrade target from current head(s)",
            end=destination,
        ):
            revs = list(rmap.iterate_revisions(destination, current_heads, implicit_base=True))
        revs.reverse()
        return revs  # type: ignore[return-value]

    def downgrade_revisions(self, destination: Any, current_heads: Any) -> list[Script]:
        """Scripts to run to downgrade from ``current_heads`` to ``destination``, newest first.

        ``destination`` is any identifier: ``base``, ``label@base``, an id, or ``-N``.
        """
        rmap = self.revision_map
        with self._catch_revision_errors(
            ancestor="Destination %(end)s is not a valid downgrade target from current head(s)",
            end=destination,
        ):
            revs = list(
                rmap.iterate_revisions(current_heads, destination, select_for_downgrade=True)
            )
        return revs  # type: ignore[return-value]

    # -- writing ---------------------------------------------------------------------------------

    def _generate_create_date(self) -> datetime.datetime:
        import datetime

        if self.timezone is None:
            return datetime.datetime.now()
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        tzinfo = None
        for name in (self.timezone, self.timezone.upper()):
            try:
                tzinfo = ZoneInfo(name)
                break
            except (ZoneInfoNotFoundError, ValueError):
                continue
        if tzinfo is None:
            raise CommandError(f"Can't locate timezone: {self.timezone}")
        return datetime.datetime.now(datetime.timezone.utc).astimezone(tzinfo)

    def _slug(self, message: str | None) -> str:
        import re

        slug = "_".join(re.findall(r"\w+", message or "")).lower()
        if len(slug) > self.truncate_slug_length:
            slug = slug[: self.truncate_slug_length].rsplit("_", 1)[0] + "_"
        return slug

    def _rev_path(
        self,
        path: str,
        rev_id: str,
        message: str | None,
        create_date: datetime.datetime,
        file_template: str | None = None,
    ) -> str:
        template = file_template if file_template is not None else self.file_template
        tokens = {
            "rev": rev_id,
            "slug": self._slug(message),
            "epoch": int(create_date.timestamp()),
            "year": create_date.year,
            "month": create_date.month,
            "day": create_date.day,
            "hour": create_date.hour,
            "minute": create_date.minute,
            "second": create_date.second,
        }
        try:
            filename = f"{template % tokens}.py"
        except (KeyError, ValueError, TypeError) as err:
            raise CommandError(f"Invalid file_template {template!r}: {err}") from err
        return os.path.join(path, filename)

    def _render(self, template_path: str, dest: str, **kw: Any) -> None:
        if not os.path.exists(template_path):
            raise CommandError(f"No such file: {template_path}; cannot render the new revision")
        from mako import exceptions
        from mako.template import Template

        try:
            output = Template(filename=template_path).render_unicode(**kw)
        except Exception as err:
            import tempfile

            fd, name = tempfile.mkstemp(suffix=".txt")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(exceptions.text_error_template().render())
            raise CommandError(
                f"Template rendering failed; see {name} for a template-oriented traceback."
            ) from err
        with open(dest, "wb") as f:
            f.write(output.encode(self.output_encoding))

    def generate_revision(
        self,
        revid: str,
        message: str | None,
        head: Any = None,
        splice: bool | None = False,
        branch_labels: Any = None,
        version_path: str | None = None,
        file_template: str | None = None,
        depends_on: Any = None,
        **template_kw: Any,
    ) -> Script | None:
        """Write a new revision file from ``script.py.mako`` and add it to the graph.

        ``head`` names the parent(s) (default ``head``; ``base`` for a new root; ``heads`` or a
        tuple for a merge).  Without ``splice`` every parent must be a head.  ``template_kw``
        (``imports``, ``upgrades``, ``downgrades``, ``config``, ...) reach the template as is.
        """
        if head is None:
            head = "head"
        try:
            Script.verify_rev_id(revid)
        except RevisionError as err:
            raise CommandError(str(err)) from err
        rmap = self.revision_map
        with self._catch_revision_errors(
            multiple_heads=(
                "Multiple heads are present; please specify the head revision on which the "
                "new revision should be based, or perform a merge."
            )
        ):
            heads = rmap.get_revisions(head)
        if len(set(heads)) != len(heads):
            raise CommandError("Duplicate head revisions specified")
        if revid in rmap:
            raise CommandError(f"Revision {revid} already exists in {self._paths.get(revid)}")

        create_date = self._generate_create_date()
        locations = self._version_locations
        if version_path is None:
            if len(locations) > 1:
                for h in heads:
                    if h is not None and getattr(h, "path", None):
                        version_path = os.path.dirname(h.path)  # type: ignore[attr-defined]
                        break
                else:
                    raise CommandError(
                        "Multiple version locations present, please specify --version-path"
                    )
            else:
                version_path = self.versions
        norm = os.path.normpath(os.path.abspath(version_path))
        if not any(os.path.normpath(loc) == norm for loc in locations):
            if not (
                self.recursive_version_locations
                and any(norm.startswith(os.path.normpath(loc) + os.sep) for loc in locations)
            ):
                raise CommandError(
                    f"Path {version_path} is not represented in current version locations"
                )
        quiet = bool(self.messaging_opts.get("quiet"))
        if self.version_locations and not os.path.isdir(version_path):
            with _status(f"Creating directory {os.path.abspath(version_path)}", quiet):
                os.makedirs(version_path)

        path = self._rev_path(version_path, revid, message, create_date, file_template)
        parent_dir = os.path.dirname(path)
        if os.path.normpath(parent_dir) != norm:
            if not self.recursive_version_locations:
                import warnings

                warnings.warn(
                    f"file_template places {path} in a sub-directory; set "
                    "recursive_version_locations = true so that it is found again",
                    stacklevel=2,
                )
            os.makedirs(parent_dir, exist_ok=True)
        elif not os.path.isdir(parent_dir):
            os.makedirs(parent_dir, exist_ok=True)

        if not splice:
            for h in heads:
                if h is not None and not h.is_head:
                    raise CommandError(
                        f"Revision {h.revision} is not a head revision; please specify --splice "
                        "to create a new branch from this revision"
                    )

        resolved_depends_on: list[str] | None = None
        if depends_on:
            resolved_depends_on = []
            with self._catch_revision_errors():
                for dep in to_tuple(depends_on, ()):
                    rev = rmap.get_revision(dep)
                    if rev is None:
                        raise CommandError(f"depends_on {dep!r} does not name a revision")
                    resolved_depends_on.append(dep if dep in rev.branch_labels else rev.revision)

        with _status(f"Generating {os.path.abspath(path)}", quiet):
            self._render(
                os.path.join(self.dir, "script.py.mako"),
                path,
                up_revision=str(revid),
                down_revision=tuple_rev_as_scalar(
                    tuple(h.revision if h is not None else None for h in heads)
                ),
                branch_labels=to_tuple(branch_labels),
                depends_on=tuple_rev_as_scalar(resolved_depends_on),
                create_date=create_date,
                comma=format_as_comma,
                message=message if message is not None else "empty message",
                **template_kw,
            )
        if self.hooks:
            from .write_hooks import run_hooks

            run_hooks(path, self.hooks)

        script = self._script_from_path(path, None)
        if script is None:
            return None
        if branch_labels and not script.branch_labels:
            raise CommandError(
                f"Version {script.revision} specified branch_labels {branch_labels}, however the "
                f"migration file {script.path} does not have them; have you upgraded your "
                "script.py.mako to include the 'branch_labels' section?"
            )
        with self._catch_revision_errors():
            rmap.add_revision(script)
        self._paths[script.revision] = script.path
        return script


class _RevisionErrors:
    """:meth:`ScriptDirectory._catch_revision_errors` (a class: :mod:`contextlib` is not
    imported by the graph commands)."""

    def __init__(
        self,
        script: ScriptDirectory,
        ancestor: str | None,
        multiple_heads: str | None,
        start: str | None,
        end: str | None,
        resolution: str | None,
    ) -> None:
        self.script = script
        self.ancestor = ancestor
        self.multiple_heads = multiple_heads
        self.start = start
        self.end = end
        self.resolution = resolution

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None or not isinstance(exc, RevisionError):
            return
        if isinstance(exc, RangeNotAncestorError):
            start = exc.lower if self.start is None else self.start
            end = exc.upper if self.end is None else self.end
            ancestor = (
                self.ancestor or "Revision %(start)s is not an ancestor of revision %(end)s"
            )
            raise CommandError(ancestor % {"start": start, "end": end}) from exc
        if isinstance(exc, MultipleHeads):
            multiple_heads = self.multiple_heads or (
                "Multiple head revisions are present for given argument '%(head_arg)s'; "
                "please specify a specific target revision, '<branchname>@%(head_arg)s' to "
                "narrow to a specific head, or 'heads' for all heads"
            )
            raise CommandError(
                multiple_heads
                % {"head_arg": self.end or exc.argument, "heads": format_as_comma(exc.heads)}
            ) from exc
        if isinstance(exc, ResolutionError):
            resolution = self.resolution
            if resolution is None:
                if str(exc).startswith("No such revision or branch"):
                    resolution = f"Can't locate revision identified by '{exc.argument}'"
                else:
                    resolution = str(exc)
            raise CommandError(resolution) from exc
        raise CommandError(self.script._with_paths(exc)) from exc
