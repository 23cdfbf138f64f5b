"""The public entry points: compare, produce a ``MigrationScript``, and drive ``revision``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData

from ..operations.ops import DowngradeOps, MigrationScript, UpgradeOps
from ..util.exc import CommandError
from .compare import populate_upgrade_ops
from .context import AutogenContext
from .diffs import diffs_of
from .render import render_body, render_imports
from .reversal import reverse_into
from .safe_operations import apply_safe_operations

if TYPE_CHECKING:
    from ..runtime.migration import MigrationContext
    from ..script import Script, ScriptDirectory


def compare_metadata(context: MigrationContext, metadata: MetaData | Sequence[MetaData]) -> list[Any]:
    """The differences between ``metadata`` and the database of ``context``, as diff tuples.

    Column changes come as a nested list of ``modify_*`` tuples per column.
    """
    upgrade_ops = produce_migrations(context, metadata).upgrade_ops
    assert upgrade_ops is not None
    return diffs_of(upgrade_ops)


def produce_migrations(
    context: MigrationContext, metadata: MetaData | Sequence[MetaData]
) -> MigrationScript:
    """A ``MigrationScript`` whose upgrade ops close the gap and whose downgrade ops undo them."""
    autogen_context = AutogenContext(context, metadata=metadata)
    script = MigrationScript(rev_id=None, upgrade_ops=UpgradeOps([]), downgrade_ops=DowngradeOps([]))
    fill_migration_script(autogen_context, script)
    return script


def fill_migration_script(autogen_context: AutogenContext, script: MigrationScript) -> None:
    """Fill the last upgrade/downgrade pair of ``script`` from a comparison."""
    upgrade_ops = script.upgrade_ops_list[-1]
    populate_upgrade_ops(autogen_context, upgrade_ops)
    reverse_into(upgrade_ops, script.downgrade_ops_list[-1])
    apply_safe_operations(autogen_context, script)


def render_into_template_args(
    autogen_context: AutogenContext, script: MigrationScript, template_args: dict[str, Any]
) -> None:
    """Render every upgrade/downgrade pass of ``script`` under its token, plus ``imports``."""
    autogen_context.imports.update(script.imports)
    for upgrade_ops, downgrade_ops in zip(
        script.upgrade_ops_list, script.downgrade_ops_list, strict=False
    ):
        template_args[upgrade_ops.upgrade_token] = render_body(upgrade_ops, autogen_context)
        template_args[downgrade_ops.downgrade_token] = render_body(downgrade_ops, autogen_context)
    template_args["imports"] = render_imports(autogen_context.imports)


def run_autogenerate(
    migration_context: MigrationContext, migration_script: MigrationScript
) -> dict[str, Any]:
    """Compare, fill ``migration_script``'s ops, and return the template variables.

    The variables are ``imports`` plus one entry per upgrade/downgrade token (``upgrades`` and
    ``downgrades`` unless configured otherwise).
    """
    autogen_context = AutogenContext(migration_context)
    opts = migration_context.opts
    migration_script.upgrade_ops_list[-1].upgrade_token = opts.get("upgrade_token", "upgrades")
    migration_script.downgrade_ops_list[-1].downgrade_token = opts.get(
        "downgrade_token", "downgrades"
    )
    fill_migration_script(autogen_context, migration_script)
    template_args: dict[str, Any] = {}
    render_into_template_args(autogen_context, migration_script, template_args)
    return template_args


def _render_migration_diffs(context: MigrationContext, template_args: dict[str, Any]) -> None:
    """Alembic's private name (alembic-postgresql-enum's tests): compare ``context``'s database
    with its ``target_metadata`` and render both directions into ``template_args``."""
    autogen_context = AutogenContext(context)
    upgrade_ops = UpgradeOps([])
    populate_upgrade_ops(autogen_context, upgrade_ops)
    script = MigrationScript(
        rev_id=None, upgrade_ops=upgrade_ops, downgrade_ops=reverse_into(upgrade_ops, DowngradeOps([]))
    )
    render_into_template_args(autogen_context, script, template_args)


def _new_rev_id() -> str:
    return uuid.uuid4().hex[-12:]


class RevisionContext:
    """Drives ``revision`` (and ``check``): runs autogenerate inside env.py, applies the
    ``process_revision_directives`` hooks, renders and writes the script(s).

    The command calls :meth:`run_autogenerate` or :meth:`run_no_autogenerate` from the
    ``fn`` that env.py's ``run_migrations()`` invokes, then :meth:`generate_scripts`.
    """

    def __init__(
        self,
        config: Any,
        script_directory: ScriptDirectory,
        command_args: dict[str, Any],
        process_revision_directives: Callable[..., None] | None = None,
    ) -> None:
        self.config = config
        self.script_directory = script_directory
        self.command_args = dict(command_args)
        self.process_revision_directives = process_revision_directives
        self.template_args: dict[str, Any] = {"config": config}
        self.generated_revisions: list[MigrationScript] = [self._default_revision()]
        self._last_autogen_context: AutogenContext | None = None
        self._env_ran = False

    def _default_revision(self) -> MigrationScript:
        args = self.command_args
        return MigrationScript(
            rev_id=args.get("rev_id") or _new_rev_id(),
            message=args.get("message"),
            upgrade_ops=UpgradeOps([]),
            downgrade_ops=DowngradeOps([]),
            head=args.get("head", "head"),
            splice=args.get("splice"),
            branch_label=args.get("branch_label"),
            version_path=args.get("version_path"),
            depends_on=args.get("depends_on"),
        )

    def run_autogenerate(self, rev: Any, migration_context: MigrationContext) -> None:
        """Compare the database (which must be at the heads) with ``target_metadata``."""
        self._run_environment(rev, migration_context, True)

    def run_no_autogenerate(self, rev: Any, migration_context: MigrationContext) -> None:
        """No comparison; only the hooks run (``revision_environment``)."""
        self._run_environment(rev, migration_context, False)

    def _run_environment(
        self, rev: Any, migration_context: MigrationContext, autogenerate: bool
    ) -> None:
        self._env_ran = True
        if autogenerate:
            if self.command_args.get("sql"):
                raise CommandError("Using --sql with --autogenerate does not make any sense")
            current = set(self.script_directory.get_revisions(rev))
            heads = set(self.script_directory.get_revisions("heads"))
            if current != heads:
                raise CommandError("Target database is not up to date.")
        opts = migration_context.opts
        upgrade_token = opts.get("upgrade_token", "upgrades")
        downgrade_token = opts.get("downgrade_token", "downgrades")
        script = self.generated_revisions[-1]
        if not getattr(script, "_needs_render", False):
            script.upgrade_ops_list[-1].upgrade_token = upgrade_token
            script.downgrade_ops_list[-1].downgrade_token = downgrade_token
            script._needs_render = True  # type: ignore[attr-defined]
        else:
            script._upgrade_ops.append(UpgradeOps([], upgrade_token=upgrade_token))
            script._downgrade_ops.append(DowngradeOps([], downgrade_token=downgrade_token))
        autogen_context = AutogenContext(migration_context, autogenerate=autogenerate)
        self._last_autogen_context = autogen_context
        if autogenerate:
            fill_migration_script(autogen_context, script)
        for hook in (self.process_revision_directives, opts.get("process_revision_directives")):
            if hook is not None:
                hook(migration_context, rev, self.generated_revisions)
        for generated in self.generated_revisions:
            generated._needs_render = True  # type: ignore[attr-defined]

    def generate_scripts(self) -> Iterator[Script | None]:
        """Write every generated revision; yields each new ``Script``."""
        if not self._env_ran and self.process_revision_directives is not None:
            self.process_revision_directives(None, None, self.generated_revisions)
        for script in self.generated_revisions:
            yield self._to_script(script)

    def _to_script(self, script: MigrationScript) -> Script | None:
        template_args = dict(self.template_args)
        autogen_context = self._last_autogen_context
        if autogen_context is None:
            autogen_context = AutogenContext(None, opts={}, autogenerate=False)
        autogen_context.imports = set()
        if getattr(script, "_needs_render", False) or any(
            ops.ops for ops in script.upgrade_ops_list + script.downgrade_ops_list  # type: ignore[operator]
        ):
            render_into_template_args(autogen_context, script, template_args)
        return self.script_directory.generate_revision(
            script.rev_id or _new_rev_id(),
            script.message,
            head=script.head,
            splice=script.splice,
            branch_labels=script.branch_label,
            version_path=script.version_path,
            depends_on=script.depends_on,
            **template_args,
        )
