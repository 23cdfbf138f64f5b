"""``current``, ``history``, ``heads``, ``branches`` and ``show``: reading the graph and the
database. The graph-only commands never import SQLAlchemy or a revision module."""

from __future__ import annotations

from ..util.exc import CommandError, DatabaseNotAtHead
from .project import revision_environment, run_env, script_directory

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from ..config import Config
    from ..runtime.migration import MigrationContext


def current(
    config: Config, check_heads: bool = False, verbose: bool = False, json_output: bool = False
) -> None:
    """Show the revision(s) the database is at (and a step an interrupted run left half-done)."""
    script = script_directory(config)

    def display_version(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        from ..runtime.history.partial import partial_steps

        if verbose and not json_output:
            url = _display_url(context)
            config.print_stdout(f"Current revision(s) for {url}:")
        if check_heads:
            script_heads = set(script.get_heads())
            if set(heads) != script_heads:
                at = ", ".join(heads) or "base"
                raise DatabaseNotAtHead(
                    f"Database is not on all head revisions: it is at {at}, the scripts' "
                    f"head(s) are {', '.join(sorted(script_heads)) or 'base'}"
                )
        # get_all_current adds the heads a dependency made implicit (Alembic does the same).
        applied = script.get_all_current(tuple(heads))
        order = {rev: index for index, rev in enumerate(heads)}
        ordered = sorted(applied, key=lambda r: (order.get(r.revision, len(order)), r.revision))
        partial = partial_steps(context)
        if json_output:
            from .json_output import document, print_json, revision_entry

            print_json(
                config,
                document(
                    "current",
                    heads=list(heads),
                    revisions=[revision_entry(rev) for rev in ordered],
                    partial=[step.as_dict() for step in partial],
                ),
            )
            return []
        for rev in ordered:
            config.print_stdout(rev.cmd_format(verbose))
        for step in partial:
            config.print_stdout(step.describe())
        return []

    run_env(config, script, fn=display_version, dont_mutate=True)


def _display_url(context: MigrationContext) -> str:
    bind = context.bind
    engine = getattr(bind, "engine", None)
    url = getattr(engine, "url", None)
    if url is None:
        return context.dialect.name
    return url.render_as_string(hide_password=True)


def history(
    config: Config,
    rev_range: str | None = None,
    verbose: bool = False,
    indicate_current: bool = False,
    applied: bool = False,
    json_output: bool = False,
) -> None:
    """List revisions from the heads down to base, one line each (``-v``: in full);
    ``--applied``: the database's applied history instead."""
    script = script_directory(config)
    if applied:
        from .applied_history import show_applied_history

        show_applied_history(config, script, json_output)
        return
    base: str | None
    head: str | None
    if rev_range is not None:
        if ":" not in rev_range:
            raise CommandError(
                f"History range requires [start]:[end], [start]:, or :[end]; got {rev_range!r}"
            )
        base, _, head = rev_range.strip().partition(":")
    else:
        base = head = None

    def display(lower: Any, upper: Any, currents: Sequence[str] = ()) -> None:
        if json_output:
            from .json_output import document, print_json, revision_entry

            entries = []
            for sc in script.walk_revisions(base=lower or "base", head=upper or "heads"):
                entry = revision_entry(sc)
                if indicate_current:
                    entry["is_current"] = sc.revision in currents
                entries.append(entry)
            print_json(config, document("history", revisions=entries))
            return
        # One write for all lines (the same text as a write per line); whatever was formatted
        # before an error is still printed.
        lines: list[str] = []
        try:
            for sc in script.walk_revisions(base=lower or "base", head=upper or "heads"):
                if indicate_current:
                    sc._db_current_indicator = sc.revision in currents
                # sc.cmd_format(verbose, include_branches=True, include_doc=True,
                # include_parents=True), without the keyword-argument calls per revision
                lines.append(sc.log_entry if verbose else sc._head_only(True, True, True))
        finally:
            if lines:
                config.print_stdout("\n".join(lines))

    environment = revision_environment(config) or indicate_current
    if base == "current" or head == "current" or environment:

        def display_with_current(heads: Sequence[str], context: MigrationContext) -> list[Any]:
            current_heads = tuple(heads)
            if head == "current":
                if current_heads:
                    display(base, current_heads, current_heads)
                elif json_output:
                    display("base", "base")
            elif base == "current":
                display(current_heads or "base", head, current_heads)
            else:
                display(base, head, current_heads)
            return []

        run_env(config, script, fn=display_with_current, dont_mutate=True)
    else:
        display(base, head)


def heads(
    config: Config,
    verbose: bool = False,
    resolve_dependencies: bool = False,
    json_output: bool = False,
) -> None:
    """Show the head revisions of the script directory."""
    script = script_directory(config)
    if resolve_dependencies:
        found = script.get_revisions("heads")
    else:
        found = script.get_revisions(tuple(script.get_heads()))
    if json_output:
        from .json_output import document, print_json, revision_entry

        entries = [revision_entry(rev) for rev in found if rev is not None]
        print_json(config, document("heads", heads=entries))
        return
    for rev in found:
        if rev is not None:
            config.print_stdout(rev.cmd_format(verbose, include_branches=True, tree_indicators=False))


def branches(config: Config, verbose: bool = False) -> None:
    """Show the revisions where history branches, with their children."""
    script = script_directory(config)
    for sc in script.walk_revisions():
        if not sc.is_branch_point:
            continue
        indent = " " * len(str(sc.revision))
        children = []
        for rev_id in sorted(sc.nextrev):
            child = script.get_revision(rev_id)
            if child is not None:
                line = child.cmd_format(False, include_branches=True, include_doc=verbose)
                children.append(f"{indent} -> {line}")
        config.print_stdout(
            sc.cmd_format(verbose, include_branches=True) + "\n" + "\n".join(children) + "\n"
        )


def show(config: Config, rev: str) -> None:
    """Show in full the revision(s) an identifier names (``current``: the database's)."""
    script = script_directory(config)
    if rev == "current":

        def show_current(heads: Sequence[str], context: MigrationContext) -> list[Any]:
            for sc in script.get_revisions(tuple(heads)):
                if sc is not None:
                    config.print_stdout(sc.log_entry)
            return []

        run_env(config, script, fn=show_current, dont_mutate=True)
        return
    for sc in script.get_revisions(rev):
        if sc is not None:
            config.print_stdout(sc.log_entry)
