"""The script directory: finding revision files, reading their headers, writing new ones.

:class:`ScriptDirectory` is what ``alembic.script.ScriptDirectory`` is: the environment folder
(``env.py``, ``script.py.mako``) plus its version locations.  It builds the revision graph from
the files' headers, read statically (see :mod:`dbshift.script.header`) and cached, so listing
heads never imports a revision module.  A :class:`Script` imports its module only when something
asks for ``script.module`` (to run ``upgrade()``/``downgrade()``).

A directory *has* its revision files (:class:`~dbshift.script.revision_files.RevisionFiles`:
listing, reading and the graph snapshot) and the :class:`~dbshift.script.revision.RevisionMap`
built from them, and writes new revisions with a
:class:`~dbshift.script.revision_writer.RevisionWriter`. This
module holds the directory's configuration and hands the graph's answers back as scripts, with
the graph's errors turned into one-line :class:`~dbshift.util.exc.CommandError` messages.
"""

from __future__ import annotations

import gc
import os
import sys

from ..util.exc import CommandError
from .loading import coerce_resource_to_filename, load_python_file
from .revision.errors import (
    MultipleHeads,
    RangeNotAncestorError,
    ResolutionError,
    RevisionError,
)
from .revision.node import format_as_comma
from .revision.revision_map import RevisionMap
from .revision_files import RevisionFiles
from .script import Script

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterator, Mapping, Sequence
    from types import TracebackType
    from typing import Any

    from .revision.graph import GraphSnapshot
    from .revision_writer import RevisionWriter

# Modules needed only to load a revision module or to write a new revision (importlib.util,
# dbshift.compat, datetime, tempfile, warnings) are imported where they are used, and neither
# typing nor re nor contextlib is imported at all on the way to a graph command's answer
# (the functions that need re import it themselves); so in revision_files and revision_writer.

_DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"

#: The runtime's step planners by direction (``upgrade``, ``downgrade``, ``stamp``), each
#: ``plan(script, destination, heads) -> steps``: :mod:`dbshift.runtime.steps` registers them when
#: imported (the runtime sits above this layer). They serve Alembic's ``_upgrade_revs`` & co.
STEP_PLANNERS: dict[str, Any] = {}


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
        self._files = RevisionFiles(self)
        self._map = RevisionMap(self._files.load)
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


    @property
    def revision_map(self) -> RevisionMap:
        """The :class:`RevisionMap` of every revision file (built on first use); assignable,
        as pytest-alembic does to see new files: ``RevisionMap(script._load_revisions)``."""
        if not self._map_checked:
            # Loading makes thousands of small objects and no garbage cycles: the cyclic
            # collector would only walk them again and again while they are made.
            collecting = gc.isenabled()
            gc.disable()
            try:
                self._map._ensure()
            except RevisionError as err:
                # Alembic's class, raised as is (``except CycleDetected`` works); the message
                # gains the files the error is about.
                self._name_files(err)
                raise
            finally:
                if collecting:
                    gc.enable()
            self._map_checked = True
            self._files.save_snapshot(self._map)
        return self._map

    @revision_map.setter
    def revision_map(self, revision_map: RevisionMap) -> None:
        self._map = revision_map
        self._map_checked = False

    # -- Alembic's private names, kept for compatibility (pytest-alembic calls them) -------------

    def _load_revisions(self) -> list[Script] | GraphSnapshot:
        """The revision files read again: what a :class:`RevisionMap` is built from."""
        return self._files.load()

    def _upgrade_revs(self, destination: Any, current_rev: Any) -> list[Any]:
        """The runtime steps from ``current_rev`` (a head or heads) up to ``destination``."""
        return self._steps("upgrade", destination, current_rev)

    def _downgrade_revs(self, destination: Any, current_rev: Any) -> list[Any]:
        """The runtime steps from ``current_rev`` (a head or heads) down to ``destination``."""
        return self._steps("downgrade", destination, current_rev)

    def _stamp_revs(self, revision: Any, heads: Any) -> list[Any]:
        """The runtime steps that stamp ``heads`` to ``revision``."""
        return self._steps("stamp", revision, heads)

    def _steps(self, direction: str, destination: Any, heads: Any) -> list[Any]:
        planner = STEP_PLANNERS.get(direction)
        if planner is None:
            raise CommandError(
                f"ScriptDirectory._{direction}_revs makes the runtime's migration steps: "
                "import dbshift.runtime.migration (or alembic.runtime.migration) first"
            )
        if heads is None or isinstance(heads, str):
            heads = () if heads is None else (heads,)
        return planner(self, destination, tuple(heads))

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

    def _name_files(self, err: RevisionError) -> None:
        """Add the files of the revisions ``err`` is about to its message (once)."""
        if getattr(err, "files_named", False):
            return
        ids = getattr(err, "revisions", None) or []
        known = self._files.paths
        paths = [known[i] for i in ids if i in known][:5]
        if paths and err.args:
            err.args = (f"{err.args[0]} (files: {', '.join(paths)})", *err.args[1:])
        err.files_named = True  # type: ignore[attr-defined]

    # -- graph access ----------------------------------------------------------------------------

    def walk_revisions(self, base: str = "base", head: str = "heads") -> Iterator[Script]:
        """Every script from ``head`` down to ``base`` (inclusive), newest first."""
        with self._catch_revision_errors(start=base, end=head):
            rmap = self.revision_map
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
        with self._catch_revision_errors():
            rmap = self.revision_map
            return rmap.get_revisions(id_)  # type: ignore[return-value]

    def get_all_current(self, id_: Any) -> set[Script]:
        """The branch tips at or below the given revision(s)."""
        with self._catch_revision_errors():
            rmap = self.revision_map
            return rmap.get_all_current(id_)  # type: ignore[return-value]

    def get_revision(self, id_: Any) -> Script | None:
        """The one script ``id_`` names (``None`` for ``base``)."""
        with self._catch_revision_errors():
            rmap = self.revision_map
            return rmap.get_revision(id_)  # type: ignore[return-value]

    def as_revision_number(self, id_: Any) -> Any:
        """``id_`` with the symbolic names resolved, as Alembic's method does: ``head`` and
        ``label@head`` become the head's id, ``heads`` the tuple of head ids, ``base`` (and
        ``None``) ``None``; anything else comes back as given (``+1``, ``ae1f-2``, a partial
        id; ``label@x`` as ``x``; the first element of a tuple), unresolved and unchecked."""
        with self._catch_revision_errors():
            ids, _ = self.revision_map._resolve_revision_number(id_)
        if not ids:
            return None
        if id_ == "heads":
            return ids
        return ids[0]

    def iterate_revisions(self, upper: Any, lower: Any, **kw: Any) -> Iterator[Script]:
        """Scripts from ``upper`` down to ``lower``, newest first (see RevisionMap); the
        graph's own errors (``RangeNotAncestorError``, ...) come out as they are, as in
        Alembic."""
        return self.revision_map.iterate_revisions(upper, lower, **kw)  # type: ignore[return-value]

    def get_current_head(self) -> str | None:
        """The single head id; CommandError if the directory has several heads."""
        with self._catch_revision_errors(
            multiple_heads=(
                "The script directory has multiple heads (due to branching).Please use "
                "get_heads(), or merge the branches using alembic merge."
            )
        ):
            rmap = self.revision_map
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
        with self._catch_revision_errors(
            ancestor="Destination %(end)s is not a valid upgrade target from current head(s)",
            end=destination,
        ):
            rmap = self.revision_map
            revs = list(rmap.iterate_revisions(destination, current_heads, implicit_base=True))
        revs.reverse()
        return revs  # type: ignore[return-value]

    def downgrade_revisions(self, destination: Any, current_heads: Any) -> list[Script]:
        """Scripts to run to downgrade from ``current_heads`` to ``destination``, newest first.

        ``destination`` is any identifier: ``base``, ``label@base``, an id, or ``-N``.
        """
        with self._catch_revision_errors(
            ancestor="Destination %(end)s is not a valid downgrade target from current head(s)",
            end=destination,
        ):
            rmap = self.revision_map
            revs = list(
                rmap.iterate_revisions(current_heads, destination, select_for_downgrade=True)
            )
        return revs  # type: ignore[return-value]

    # -- new revisions ---------------------------------------------------------------------------

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
        return self._writer().generate_revision(
            revid, message, head, splice, branch_labels, version_path, file_template,
            depends_on, template_kw,
        )

    def _generate_create_date(self) -> datetime.datetime:
        """The create date of a new revision (Alembic's name; see RevisionWriter.create_date)."""
        return self._writer().create_date()

    def _rev_path(
        self,
        path: str,
        rev_id: str,
        message: str | None,
        create_date: datetime.datetime,
        file_template: str | None = None,
    ) -> str:
        """The path of a new revision file (Alembic's name; see RevisionWriter.rev_path)."""
        return self._writer().rev_path(path, rev_id, message, create_date, file_template)

    def _writer(self) -> RevisionWriter:
        # Imported here: the graph commands never write a revision.
        from .revision_writer import RevisionWriter

        return RevisionWriter(self, self._files)


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
            heads = format_as_comma(exc.heads)
            message = multiple_heads % {"head_arg": self.end or exc.argument, "heads": heads}
            if "%(heads)s" not in multiple_heads:
                message += f" (heads: {heads})"  # Alembic's words, and which heads they are
            raise CommandError(message) from exc
        if isinstance(exc, ResolutionError):
            resolution = self.resolution
            if resolution is None:
                if str(exc).startswith("No such revision or branch"):
                    resolution = f"Can't locate revision identified by '{exc.argument}'"
                else:
                    resolution = str(exc)
            raise CommandError(resolution) from exc
        self.script._name_files(exc)
        raise CommandError(str(exc)) from exc
