"""The commands: one function per ``dbshift <command>``, callable from Python as well.

Each function takes a :class:`~dbshift.config.Config` first, mirrors ``alembic.command`` in name,
signature and behaviour, and raises :class:`~dbshift.util.exc.CommandError` for anything the user
got wrong. The CLI (:mod:`dbshift.cli`) builds its sub-commands from these signatures, so a new
parameter here is a new flag there.

Commands that touch the database run the project's ``env.py`` inside an
:class:`~dbshift.runtime.environment.EnvironmentContext` whose ``fn`` plans the steps; graph-only
commands (``heads``, ``history``, ``branches``, ``show``) read revision headers and never import
SQLAlchemy or a revision module. Imports are lazy for that reason.
"""

from __future__ import annotations

import os
import sys

from .util.exc import CommandError, DatabaseNotAtHead

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

    from .config import Config
    from .runtime.migration import MigrationContext
    from .runtime.steps import MigrationStep
    from .script import Script, ScriptDirectory

__all__ = [
    "branches",
    "check",
    "current",
    "downgrade",
    "edit",
    "ensure_version",
    "heads",
    "history",
    "init",
    "list_templates",
    "merge",
    "revision",
    "show",
    "stamp",
    "upgrade",
]



# ---------------------------------------------------------------------------------------------
# shared helpers


def _script_directory(config: Config) -> ScriptDirectory:
    from .script import ScriptDirectory

    get_location = getattr(config, "get_script_location", None)
    if get_location is not None:
        get_location()  # a CommandError saying which file lacks script_location, if it does
    return ScriptDirectory.from_config(config)


def _run_env(config: Config, script: ScriptDirectory, **context_opts: Any) -> None:
    """Run ``env.py`` inside an EnvironmentContext made of ``context_opts``."""
    from .runtime.environment import EnvironmentContext

    with EnvironmentContext(config, script, **context_opts):
        script.run_env()


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "yes", "on", "y", "t", "1")


def _revision_environment(config: Config) -> bool:
    return _as_bool(config.get_alembic_option("revision_environment", False))


def _new_rev_id() -> str:
    import uuid

    return uuid.uuid4().hex[-12:]


def _format_elapsed(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def _progress_reporter(config: Config) -> Callable[[MigrationStep, float], None]:
    """``on_step_done`` callback: one line per applied revision, with its elapsed time."""

    def on_step_done(step: MigrationStep, elapsed: float) -> None:
        if step.name == "stamp":
            return
        doc = getattr(step, "doc", None)
        source = ", ".join(step.from_revisions) or "<base>"
        target = ", ".join(step.to_revisions) or "<base>"
        text = f"Running {step.name} {source} -> {target}"
        if doc:
            text += f", {doc}"
        config.print_stdout(f"{text} ({_format_elapsed(elapsed)})")

    return on_step_done


def _split_range(revision: str, sql: bool) -> tuple[str | None, str]:
    if ":" not in revision:
        return None, revision
    if not sql:
        raise CommandError(
            f"Range revision not allowed: {revision!r} ('start:end' works only with --sql)"
        )
    start, _, end = revision.partition(":")
    return start, end


# ---------------------------------------------------------------------------------------------
# templates and init


def list_templates(config: Config) -> None:
    """List the templates ``init`` can use, each with the first line of its README."""
    template_dir = config.get_template_directory()
    config.print_stdout("Available templates:\n")
    for name in sorted(os.listdir(template_dir)):
        readme = os.path.join(template_dir, name, "README")
        if not os.path.isfile(readme):
            continue
        with open(readme, encoding="utf-8") as fh:
            synopsis = fh.readline().rstrip()
        config.print_stdout(f"{name} - {synopsis}")
    config.print_stdout("\nTemplates are used via the 'init' command, e.g.:")
    config.print_stdout("\n  dbshift init --template generic ./migrations")


def init(
    config: Config, directory: str, template: str = "generic", package: bool = False
) -> None:
    """Create a migration environment in ``directory`` from a template (and its config)."""
    if os.access(directory, os.F_OK) and os.listdir(directory):
        raise CommandError(
            f"Directory {directory} already exists and is not empty; choose a new directory"
        )
    template_root = config.get_template_directory()
    template_dir = os.path.join(template_root, template)
    if not os.path.isdir(template_dir):
        available = ", ".join(
            sorted(n for n in os.listdir(template_root) if not n.startswith(("_", ".")))
        )
        raise CommandError(f"No such template {template!r}; available templates: {available}")

    if not os.access(directory, os.F_OK):
        _status(config, f"Creating directory {os.path.abspath(directory)}", os.makedirs, directory)
    versions = os.path.join(directory, "versions")
    _status(config, f"Creating directory {os.path.abspath(versions)}", os.makedirs, versions)

    ini_file = os.path.abspath(config.config_file_name or "alembic.ini")
    toml_file = os.path.abspath(config.toml_file_name or "pyproject.toml")
    edited: list[str] = []
    for name in sorted(os.listdir(template_dir)):
        source = os.path.join(template_dir, name)
        if not os.path.isfile(source):
            continue
        if name == "alembic.ini.mako":
            edited.append(ini_file)
            if os.path.exists(ini_file):
                config.print_stdout(f"File {ini_file} already exists, skipping")
                continue
            location = _here_relative(directory, ini_file)
            _status(
                config, f"Generating {ini_file}", _render_to_file, source, ini_file,
                script_location=location,
            )
        elif name == "pyproject.toml.mako":
            edited.append(toml_file)
            location = _here_relative(directory, toml_file)
            if os.path.exists(toml_file):
                if _has_tool_alembic(toml_file):
                    config.print_stdout(
                        f"File {toml_file} already exists and already has a [tool.alembic] "
                        "section, skipping"
                    )
                    continue
                _status(
                    config, f"Appending to {toml_file}", _render_to_file, source, toml_file,
                    append=True, script_location=location,
                )
            else:
                _status(
                    config, f"Generating {toml_file}", _render_to_file, source, toml_file,
                    script_location=location,
                )
        else:
            import shutil

            target = os.path.abspath(os.path.join(directory, name))
            _status(config, f"Generating {target}", shutil.copyfile, source, target)
    if package:
        for folder in (directory, versions):
            path = os.path.abspath(os.path.join(folder, "__init__.py"))
            _status(config, f"Adding {path}", _touch, path)
    files = " and ".join(edited) or ini_file
    config.print_stdout(
        f"Please edit configuration/connection/logging settings in {files} before proceeding."
    )


def _status(config: Config, message: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    try:
        result = fn(*args, **kw)
    except BaseException:
        config.print_stdout(f"  {message} ...  FAILED")
        raise
    config.print_stdout(f"  {message} ...  done")
    return result


def _touch(path: str) -> None:
    with open(path, "w", encoding="utf-8"):
        pass


def _here_relative(directory: str, config_file: str) -> str:
    """``directory`` as written in a config file: ``%(here)s/...`` unless it is absolute."""
    if os.path.isabs(directory):
        return directory
    rel = os.path.relpath(os.path.abspath(directory), os.path.dirname(config_file))
    rel = rel.replace(os.sep, "/")
    return "%(here)s" if rel == "." else f"%(here)s/{rel}"


def _has_tool_alembic(toml_file: str) -> bool:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 only
        import tomli as tomllib
    with open(toml_file, "rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as err:
            raise CommandError(f"{toml_file}: invalid TOML: {err}") from err
    tool = data.get("tool")
    return isinstance(tool, dict) and "alembic" in tool


def _render_to_file(source: str, dest: str, append: bool = False, **kw: Any) -> None:
    from mako.template import Template

    text = Template(filename=source).render_unicode(**kw)
    if append:
        with open(dest, encoding="utf-8") as fh:
            existing = fh.read()
        separator = "" if not existing or existing.endswith("\n\n") else (
            "\n" if existing.endswith("\n") else "\n\n"
        )
        text = existing + separator + text
    with open(dest, "w", encoding="utf-8") as fh:
        fh.write(text)


# ---------------------------------------------------------------------------------------------
# writing revisions


def revision(
    config: Config,
    message: str | None = None,
    autogenerate: bool = False,
    sql: bool = False,
    head: str = "head",
    splice: bool = False,
    branch_label: str | None = None,
    version_path: str | None = None,
    rev_id: str | None = None,
    depends_on: str | Sequence[str] | None = None,
    process_revision_directives: Callable[..., None] | None = None,
) -> Script | None | list[Script | None]:
    """Write a new revision file from the environment's ``script.py.mako``."""
    script = _script_directory(config)
    command_args = {
        "message": message,
        "autogenerate": autogenerate,
        "sql": sql,
        "head": head,
        "splice": splice,
        "branch_label": branch_label,
        "version_path": version_path,
        "rev_id": rev_id,
        "depends_on": depends_on,
    }
    revision_context = _revision_context(config, script, command_args, process_revision_directives)
    environment = _revision_environment(config)
    if autogenerate:
        environment = True
        if sql:
            raise CommandError("--sql cannot be combined with --autogenerate")

        def retrieve_migrations(rev: Any, context: MigrationContext) -> list[Any]:
            revision_context.run_autogenerate(rev, context)
            return []

    elif environment:

        def retrieve_migrations(rev: Any, context: MigrationContext) -> list[Any]:
            revision_context.run_no_autogenerate(rev, context)
            return []

    elif sql:
        raise CommandError(
            "revision --sql needs revision_environment = true in the configuration, "
            "so that env.py runs"
        )
    if environment:
        _run_env(
            config,
            script,
            fn=retrieve_migrations,
            as_sql=sql,
            template_args=revision_context.template_args,
            revision_context=revision_context,
        )
    scripts = list(revision_context.generate_scripts())
    return scripts[0] if len(scripts) == 1 else scripts


def _revision_context(
    config: Config,
    script: ScriptDirectory,
    command_args: dict[str, Any],
    process_revision_directives: Callable[..., None] | None,
) -> Any:
    """Autogenerate's ``RevisionContext``: it also writes plain (non-autogenerate) revisions."""
    from .autogenerate import RevisionContext

    return RevisionContext(
        config, script, command_args, process_revision_directives=process_revision_directives
    )


def check(config: Config) -> None:
    """Fail with AutogenerateDiffsDetected when the models and the database differ."""
    from .autogenerate import RevisionContext
    from .util.exc import AutogenerateDiffsDetected

    script = _script_directory(config)
    command_args = {
        "message": None,
        "autogenerate": True,
        "sql": False,
        "head": "head",
        "splice": False,
        "branch_label": None,
        "version_path": None,
        "rev_id": None,
        "depends_on": None,
    }
    revision_context = RevisionContext(config, script, command_args)

    def retrieve_migrations(rev: Any, context: MigrationContext) -> list[Any]:
        revision_context.run_autogenerate(rev, context)
        return []

    _run_env(
        config,
        script,
        fn=retrieve_migrations,
        as_sql=False,
        template_args=revision_context.template_args,
        revision_context=revision_context,
    )
    migration_script = revision_context.generated_revisions[-1]
    diffs: list[Any] = []
    for upgrade_ops in migration_script.upgrade_ops_list:
        diffs.extend(upgrade_ops.as_diffs())
    if diffs:
        raise AutogenerateDiffsDetected(
            f"New upgrade operations detected: {diffs}",
            revision_context=revision_context,
            diffs=diffs,
        )
    config.print_stdout("No new upgrade operations detected.")


def merge(
    config: Config,
    revisions: str | Sequence[str],
    message: str | None = None,
    branch_label: str | None = None,
    rev_id: str | None = None,
    splice: bool = False,
) -> Script | None:
    """Write a revision whose parents are the given revisions (or ``heads``)."""
    script = _script_directory(config)
    template_args: dict[str, Any] = {"config": config}
    if _revision_environment(config):

        def nothing(rev: Any, context: MigrationContext) -> list[Any]:
            return []

        _run_env(config, script, fn=nothing, as_sql=False, template_args=template_args)
    return script.generate_revision(
        rev_id or _new_rev_id(),
        message,
        head=revisions,
        splice=splice,
        branch_labels=branch_label,
        **template_args,
    )


# ---------------------------------------------------------------------------------------------
# moving the database


def upgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    """Run revisions up to a target: an id, ``heads``, ``+N``, ``label@head``, ``a:b`` offline."""
    from .runtime.steps import upgrade_steps

    _move(config, revision, sql, tag, upgrade_steps)


def downgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    """Revert revisions down to a target: an id, ``base``, ``-N``, ``a:b`` offline."""
    from .runtime.steps import downgrade_steps

    if ":" not in revision and sql:
        raise CommandError("downgrade --sql needs a range <fromrev>:<torev> (the database is not read)")
    _move(config, revision, sql, tag, downgrade_steps)


def _move(
    config: Config,
    revision: str,
    sql: bool,
    tag: str | None,
    plan_steps: Callable[[ScriptDirectory, Any, Sequence[str]], list[Any]],
) -> None:
    """Run env.py with a step planner that takes the database from its heads to ``revision``."""
    script = _script_directory(config)
    starting_rev, destination = _split_range(revision, sql)

    def plan(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        return plan_steps(script, destination, heads)

    opts: dict[str, Any] = {}
    if not sql:
        opts["on_step_done"] = _progress_reporter(config)
    _run_env(
        config,
        script,
        fn=plan,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=destination,
        tag=tag,
        **opts,
    )


def stamp(
    config: Config,
    revision: str | Sequence[str],
    sql: bool = False,
    tag: str | None = None,
    purge: bool = False,
) -> None:
    """Set the version table to the given revision(s) without running any migration."""
    from .runtime.steps import stamp_steps

    script = _script_directory(config)
    targets = [revision] if isinstance(revision, str) else list(revision)
    starting_rev: str | None = None
    destinations: list[str] = []
    for target in targets:
        if ":" in target:
            if not sql:
                raise CommandError(
                    f"Range revision not allowed: {target!r} ('start:end' works only with --sql)"
                )
            start, _, target = target.partition(":")
            if starting_rev is not None and start != starting_rev:
                raise CommandError(
                    "stamp --sql takes one starting revision; every start:end range must "
                    "share the same start"
                )
            starting_rev = start
        destinations.append(target)

    def plan(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        return stamp_steps(script, destinations, heads)  # type: ignore[return-value]

    _run_env(
        config,
        script,
        fn=plan,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=tuple(destinations),
        tag=tag,
        purge=purge,
    )


def ensure_version(config: Config, sql: bool = False) -> None:
    """Create the version table when it does not exist yet."""
    script = _script_directory(config)

    def create_version_table(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        context._ensure_version_table()
        return []

    _run_env(config, script, fn=create_version_table, as_sql=sql)


# ---------------------------------------------------------------------------------------------
# looking at the graph and the database


def current(config: Config, check_heads: bool = False, verbose: bool = False) -> None:
    """Show the revision(s) the database is at."""
    script = _script_directory(config)

    def display_version(heads: Sequence[str], context: MigrationContext) -> list[Any]:
        if verbose:
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
        for rev in sorted(applied, key=lambda r: (order.get(r.revision, len(order)), r.revision)):
            config.print_stdout(rev.cmd_format(verbose))
        return []

    _run_env(config, script, fn=display_version, dont_mutate=True)


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
) -> None:
    """List revisions from the heads down to base, one line each (``-v``: in full)."""
    script = _script_directory(config)
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

    environment = _revision_environment(config) or indicate_current
    if base == "current" or head == "current" or environment:

        def display_with_current(heads: Sequence[str], context: MigrationContext) -> list[Any]:
            current_heads = tuple(heads)
            if head == "current":
                if current_heads:
                    display(base, current_heads, current_heads)
            elif base == "current":
                display(current_heads or "base", head, current_heads)
            else:
                display(base, head, current_heads)
            return []

        _run_env(config, script, fn=display_with_current, dont_mutate=True)
    else:
        display(base, head)


def heads(config: Config, verbose: bool = False, resolve_dependencies: bool = False) -> None:
    """Show the head revisions of the script directory."""
    script = _script_directory(config)
    if resolve_dependencies:
        found = script.get_revisions("heads")
    else:
        found = script.get_revisions(tuple(script.get_heads()))
    for rev in found:
        if rev is not None:
            config.print_stdout(rev.cmd_format(verbose, include_branches=True, tree_indicators=False))


def branches(config: Config, verbose: bool = False) -> None:
    """Show the revisions where history branches, with their children."""
    script = _script_directory(config)
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
    script = _script_directory(config)
    if rev == "current":

        def show_current(heads: Sequence[str], context: MigrationContext) -> list[Any]:
            for sc in script.get_revisions(tuple(heads)):
                if sc is not None:
                    config.print_stdout(sc.log_entry)
            return []

        _run_env(config, script, fn=show_current, dont_mutate=True)
        return
    for sc in script.get_revisions(rev):
        if sc is not None:
            config.print_stdout(sc.log_entry)


def edit(config: Config, rev: str) -> None:
    """Open the revision file(s) an identifier names in $EDITOR (else $VISUAL, else PATH)."""
    script = _script_directory(config)
    if rev == "current":

        def edit_current(heads: Sequence[str], context: MigrationContext) -> list[Any]:
            if not heads:
                raise CommandError("No current revisions: the database is at base")
            for sc in script.get_revisions(tuple(heads)):
                if sc is not None:
                    _open_in_editor(sc.path)
            return []

        _run_env(config, script, fn=edit_current, dont_mutate=True)
        return
    revs = [sc for sc in script.get_revisions(rev) if sc is not None]
    if not revs:
        raise CommandError(f"No revision files indicated by symbol {rev!r}")
    for sc in revs:
        _open_in_editor(sc.path)


# ---------------------------------------------------------------------------------------------
# editor


_EDITORS_POSIX = ("sensible-editor", "editor", "nano", "vim", "code")
_EDITORS_WINDOWS = ("code.exe", "notepad++.exe", "notepad.exe")


def _open_in_editor(path: str, environ: Mapping[str, str] | None = None) -> None:
    """Open ``path`` in $EDITOR, else $VISUAL, else the first editor found on PATH."""
    import subprocess

    env = os.environ if environ is None else environ
    command = _find_editor(env)
    try:
        subprocess.check_call([*command, path])
    except (OSError, subprocess.CalledProcessError) as err:
        raise CommandError(f"Error executing editor {' '.join(command)!r} on {path}: {err}") from err


def _find_editor(env: Mapping[str, str]) -> list[str]:
    import shlex
    import shutil

    candidates: list[list[str]] = []
    for var in ("EDITOR", "VISUAL"):
        choice = env.get(var)
        if not choice:
            continue
        if os.path.isfile(choice):
            return [choice]
        parts = shlex.split(choice)
        if parts:
            candidates.append(parts)
    defaults = _EDITORS_WINDOWS if sys.platform == "win32" else _EDITORS_POSIX
    candidates.extend([name] for name in defaults)
    search_path = env.get("PATH", os.defpath)
    for parts in candidates:
        found = shutil.which(parts[0], path=search_path)
        if found:
            return [found, *parts[1:]]
    raise CommandError(
        "No editor found on PATH; set the EDITOR (or VISUAL) environment variable"
    )
