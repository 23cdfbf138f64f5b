"""A revision file: :class:`Script` is a graph node (:class:`~dbshift.script.revision.Revision`)
plus its path, its docstring and (imported on first use) its module."""

from __future__ import annotations

import os

from ..util.error_text import one_line
from ..util.exc import CommandError
from ..util.tuples import to_tuple
from .header import RevisionHeader
from .loading import load_module_from_path
from .revision.node import Revision, format_as_comma

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

__all__ = ["Script"]

#: "Not given" (``None`` is a value a header may hold).
_UNSET: Any = object()


class Script(Revision):
    """A revision backed by a file: the graph node plus ``path``, docstring and module.

    Built from a statically read header (``module`` is then imported on first access), or, as in
    Alembic, from an already imported module: ``Script(module, rev_id, path)``.
    """

    _db_current_indicator: bool | None = None
    _module: ModuleType | None = None

    def __init__(
        self,
        module: ModuleType | None,
        rev_id: str,
        path: str,
        *,
        down_revision: Any = _UNSET,
        branch_labels: Any = None,
        depends_on: Any = None,
        doc: Any = _UNSET,
    ) -> None:
        self._module = module
        self.path = path
        if down_revision is _UNSET:
            if module is None:
                raise TypeError("Script needs a module or an explicit down_revision")
            if not hasattr(module, "down_revision"):
                raise CommandError(f"Revision file {path} does not declare down_revision")
            down_revision = module.down_revision
            branch_labels = getattr(module, "branch_labels", None)
            depends_on = getattr(module, "depends_on", None)
        self._doc = doc
        super().__init__(
            rev_id,
            down_revision,
            branch_labels=to_tuple(branch_labels, ()),
            dependencies=to_tuple(depends_on, ()),
        )

    @classmethod
    def _from_index(
        cls,
        path: str,
        revision: str,
        down_revision: Any,
        branch_labels: tuple[str, ...] | None,
        dependencies: Any,
        doc: str | None,
    ) -> Script:
        """A script from a header cache entry: values a :class:`Script` built earlier already
        validated and normalised (only such entries are cached), so no checks run again."""
        self = cls.__new__(cls)
        self._module = None
        self.path = path
        self._doc = doc
        self.revision = revision
        self.down_revision = down_revision
        self.dependencies = dependencies
        self._orig_branch_labels = set(branch_labels) if branch_labels else set()
        self.branch_labels = set(self._orig_branch_labels)
        return self

    def _index_header(self, doc: str | None) -> RevisionHeader:
        """This script's normalised header, as the header cache stores it."""
        return RevisionHeader(
            self.revision,
            self.down_revision,
            tuple(sorted(self._orig_branch_labels)) or None,
            self.dependencies,
            doc,
        )

    @property
    def module(self) -> ModuleType:
        """The revision's Python module, imported the first time it is asked for."""
        if self._module is None:
            try:
                self._module = load_module_from_path(self.path)
            except Exception as err:  # ImportError, SyntaxError, whatever its code raises
                raise CommandError(
                    f"Could not import revision file {self.path}: {type(err).__name__}: "
                    f"{one_line(err)}"
                ) from err
        return self._module

    @module.setter
    def module(self, value: ModuleType) -> None:
        self._module = value

    @property
    def longdoc(self) -> str:
        """The module docstring, stripped ("" when there is none)."""
        doc = self._doc if self._doc is not _UNSET else self.module.__doc__
        return doc.strip() if doc else ""

    @property
    def doc(self) -> str:
        """The first paragraph of the docstring: the revision message."""
        return self.longdoc.partition("\n\n")[0]

    def _format_down_revision(self) -> str:
        if not self.down_revision:
            return "<base>"
        return format_as_comma(self.versioned_down_revisions)

    @property
    def log_entry(self) -> str:
        """The verbose multi-line description used by ``history -v`` and ``show``."""
        entry = (
            f"Rev: {self.revision}"
            f"{' (head)' if self.is_head else ''}"
            f"{' (branchpoint)' if self.is_branch_point else ''}"
            f"{' (mergepoint)' if self.is_merge_point else ''}"
            f"{' (current)' if self._db_current_indicator else ''}\n"
        )
        if self.is_merge_point:
            entry += f"Merges: {self._format_down_revision()}\n"
        else:
            entry += f"Parent: {self._format_down_revision()}\n"
        if self.dependencies:
            entry += f"Also depends on: {format_as_comma(self.dependencies)}\n"
        if self.is_branch_point:
            entry += f"Branches into: {format_as_comma(self.nextrev)}\n"
        if self.branch_labels:
            entry += f"Branch names: {format_as_comma(self.branch_labels)}\n"
        entry += f"Path: {self.path}\n"
        body = "\n".join(f"    {para}" for para in self.longdoc.splitlines())
        entry += f"\n{body}\n"
        return entry

    def __str__(self) -> str:
        return (
            f"{self._format_down_revision()} -> {self.revision}"
            f"{' (head)' if self.is_head else ''}"
            f"{' (branchpoint)' if self.is_branch_point else ''}"
            f"{' (mergepoint)' if self.is_merge_point else ''}, {self.doc}"
        )

    def _head_only(
        self,
        include_branches: bool = False,
        include_doc: bool = False,
        include_parents: bool = False,
        tree_indicators: bool = True,
        head_indicators: bool = True,
    ) -> str:
        # Plain attribute reads rather than the properties that mean the same (is_head,
        # doc, ...): ``history`` formats every revision this way.
        text = self.revision
        if include_parents:
            down = ", ".join(self._versioned) if self._down_revision else "<base>"
            deps = self.dependencies
            if deps:
                text = f"{down} ({format_as_comma(deps)}) -> {text}"
            else:
                text = f"{down} -> {text}"
        if include_branches and self.branch_labels:
            text += f" ({format_as_comma(self.branch_labels)})"
        if head_indicators or tree_indicators:
            if not self._all_nextrev:
                text += " (head)"
            elif not self.nextrev:
                text += " (effective head)"
            if self._db_current_indicator:
                text += " (current)"
        if tree_indicators:
            if len(self.nextrev) > 1:
                text += " (branchpoint)"
            if len(self._versioned) > 1:
                text += " (mergepoint)"
        if include_doc:
            doc = self._doc
            if doc is _UNSET:
                doc = self.module.__doc__
            text += ", " + doc.strip().partition("\n\n")[0] if doc else ", "
        return text

    def cmd_format(
        self,
        verbose: bool,
        include_branches: bool = False,
        include_doc: bool = False,
        include_parents: bool = False,
        tree_indicators: bool = True,
        head_indicators: bool = True,
    ) -> str:
        """One line (or, with ``verbose``, :attr:`log_entry`) describing this revision."""
        if verbose:
            return self.log_entry
        return self._head_only(
            include_branches, include_doc, include_parents, tree_indicators, head_indicators
        )


def _script_from_module(module: ModuleType, path: str) -> Script:
    import re

    if hasattr(module, "revision"):
        rev_id = module.revision
    else:
        m = re.match(r"([a-f0-9]+)\.py$", os.path.basename(path))
        if not m:
            raise CommandError(
                f"Could not determine revision id from filename {os.path.basename(path)}; "
                "declare the 'revision' variable inside the script"
            )
        rev_id = m.group(1)
    return Script(module, rev_id, path)
