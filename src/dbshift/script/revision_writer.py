"""Writing a new revision file: its id, path, create date and the rendered template.

:class:`RevisionWriter` is what a :class:`~dbshift.script.directory.ScriptDirectory` writes new
revisions with (``dbshift revision`` / ``merge``): it checks the parents against the graph,
picks the version location and file name (``file_template`` tokens), renders ``script.py.mako``
and adds the new revision to the graph.
"""

from __future__ import annotations

import os

from ..util.exc import CommandError
from ..util.messaging import status
from ..util.tuples import to_tuple
from .revision.errors import RevisionError
from .revision.node import format_as_comma, tuple_rev_as_scalar
from .script import Script

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, Protocol

    from .revision.revision_map import RevisionMap
    from .revision_files import RevisionFiles

    class _Directory(Protocol):
        """What a new revision is written with: the script directory's graph and settings."""

        dir: str
        file_template: str
        truncate_slug_length: int
        output_encoding: str
        timezone: str | None
        hooks: list[Mapping[str, Any]]
        messaging_opts: Mapping[str, Any]
        version_locations: Sequence[str] | None
        recursive_version_locations: bool

        @property
        def revision_map(self) -> RevisionMap: ...
        @property
        def versions(self) -> str: ...
        @property
        def _version_locations(self) -> tuple[str, ...]: ...
        def _catch_revision_errors(self, **kw: Any) -> Any: ...
        def _generate_create_date(self) -> datetime.datetime: ...

        _rev_path: Callable[..., str]


class RevisionWriter:
    """Writes the new revisions of one script directory, with the directory's current graph,
    version locations, ``file_template``, ``truncate_slug_length``, ``timezone``,
    ``output_encoding`` and hooks."""

    def __init__(self, directory: _Directory, files: RevisionFiles) -> None:
        self._directory = directory
        self._files = files

    def create_date(self) -> datetime.datetime:
        """Now, in the directory's ``timezone`` (local time when none is set)."""
        import datetime

        timezone = self._directory.timezone
        if timezone is None:
            return datetime.datetime.now()
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        tzinfo = None
        for name in (timezone, timezone.upper()):
            try:
                tzinfo = ZoneInfo(name)
                break
            except (ZoneInfoNotFoundError, ValueError):
                continue
        if tzinfo is None:
            raise CommandError(f"Can't locate timezone: {timezone}")
        return datetime.datetime.now(datetime.timezone.utc).astimezone(tzinfo)

    def _slug(self, message: str | None) -> str:
        import re

        slug = "_".join(re.findall(r"\w+", message or "")).lower()
        limit = self._directory.truncate_slug_length
        if len(slug) > limit:
            slug = slug[:limit].rsplit("_", 1)[0] + "_"
        return slug

    def rev_path(
        self, path: str, rev_id: str, message: str | None, create_date: datetime.datetime,
        file_template: str | None = None,
    ) -> str:
        """The path of the new revision file in ``path``, named by ``file_template`` (the
        directory's by default) filled with the id, slug and create date."""
        template = file_template if file_template is not None else self._directory.file_template
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
            f.write(output.encode(self._directory.output_encoding))

    def generate_revision(
        self, revid: str, message: str | None, head: Any, splice: bool | None,
        branch_labels: Any, version_path: str | None, file_template: str | None,
        depends_on: Any, template_kw: Mapping[str, Any],
    ) -> Script | None:
        """Write the new revision file and add it to the graph: what
        :meth:`ScriptDirectory.generate_revision <.directory.ScriptDirectory.generate_revision>`
        does, where the parameters are described. The create date and the file path come
        from the directory's ``_generate_create_date`` and ``_rev_path`` (Alembic's names,
        which subclasses may override)."""
        directory, files = self._directory, self._files
        if head is None:
            head = "head"
        try:
            Script.verify_rev_id(revid)
        except RevisionError as err:
            raise CommandError(str(err)) from err
        with directory._catch_revision_errors(
            multiple_heads=(
                "Multiple heads are present; please specify the head revision on which the "
                "new revision should be based, or perform a merge."
            )
        ):
            rmap = directory.revision_map
            heads = rmap.get_revisions(head)
        if len(set(heads)) != len(heads):
            raise CommandError("Duplicate head revisions specified")
        if revid in rmap:
            raise CommandError(f"Revision {revid} already exists in {files.paths.get(revid)}")

        create_date = directory._generate_create_date()
        locations = directory._version_locations
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
                version_path = directory.versions
        norm = os.path.normpath(os.path.abspath(version_path))
        if not any(os.path.normpath(loc) == norm for loc in locations):
            if not (
                directory.recursive_version_locations
                and any(norm.startswith(os.path.normpath(loc) + os.sep) for loc in locations)
            ):
                raise CommandError(
                    f"Path {version_path} is not represented in current version locations"
                )
        quiet = bool(directory.messaging_opts.get("quiet"))
        if directory.version_locations and not os.path.isdir(version_path):
            with status(f"Creating directory {os.path.abspath(version_path)}", quiet):
                os.makedirs(version_path)

        path = directory._rev_path(version_path, revid, message, create_date, file_template)
        parent_dir = os.path.dirname(path)
        if os.path.normpath(parent_dir) != norm:
            if not directory.recursive_version_locations:
                import warnings

                warnings.warn(
                    f"file_template places {path} in a sub-directory; set "
                    "recursive_version_locations = true so that it is found again",
                    stacklevel=3,
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
            with directory._catch_revision_errors():
                for dep in to_tuple(depends_on, ()):
                    rev = rmap.get_revision(dep)
                    if rev is None:
                        raise CommandError(f"depends_on {dep!r} does not name a revision")
                    resolved_depends_on.append(dep if dep in rev.branch_labels else rev.revision)

        with status(f"Generating {os.path.abspath(path)}", quiet):
            self._render(
                os.path.join(directory.dir, "script.py.mako"),
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
        if directory.hooks:
            from .write_hooks import run_hooks

            run_hooks(path, directory.hooks)

        script = files.script_from_path(path, None)
        if script is None:
            return None
        if branch_labels and not script.branch_labels:
            raise CommandError(
                f"Version {script.revision} specified branch_labels {branch_labels}, however the "
                f"migration file {script.path} does not have them; have you upgraded your "
                "script.py.mako to include the 'branch_labels' section?"
            )
        with directory._catch_revision_errors():
            rmap.add_revision(script)
        files.paths[script.revision] = script.path
        return script
