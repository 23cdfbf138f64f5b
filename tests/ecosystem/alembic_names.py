"""Every ``alembic`` name the four ecosystem packages use, and how they call it.

Read from the installed sources of Flask-Migrate 4.1.0, pytest-alembic 0.13.1, alembic_utils 0.8.8
and alembic-postgresql-enum 1.11.0 (and, marked "tests", from their own test suites). Each entry
is a module path and a dotted attribute (empty: the module itself) with how the package uses it:

- ``call``: the object is called with ``positional`` arguments and these ``keywords`` (instance
  methods reached through their class count ``self`` as a positional argument); the call must
  bind to the signature.
- ``instance``: an object built by a named recipe of :data:`PROBE` must have these attributes.
- ``settable``: the package assigns the attribute on instances (a read-only property breaks it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    """One name a package takes from ``alembic``, and how it uses it."""

    module: str
    attr: str
    users: str
    positional: int | None = None
    keywords: tuple[str, ...] = ()
    instance: str | None = None
    attributes: tuple[str, ...] = ()
    settable: bool = False

    @property
    def key(self) -> str:
        """``module:attr``, plus how it is used, as the test id."""
        base = f"{self.module}:{self.attr}" if self.attr else self.module
        if self.positional is not None:
            base += f"({self.positional}{''.join(',' + k for k in self.keywords)})"
        if self.instance:
            base += f"[{self.instance}]"
        if self.settable:
            base += "=set"
        return base


FM, PA, AU, APE = "Flask-Migrate", "pytest-alembic", "alembic_utils", "alembic-postgresql-enum"
CONFIG = "alembic.config"
COMMAND = "alembic.command"
SCRIPT = "alembic.script.base"
OPS = "alembic.operations.ops"

NEEDS: tuple[Need, ...] = (
    # -- the package and its version
    Need("alembic", "__version__", f"{FM}, {APE}"),
    # -- Config
    Need(CONFIG, "Config", FM, 0),
    Need(CONFIG, "Config", FM, 1),
    Need(CONFIG, "Config", PA, 0, ("file_", "toml_file", "stdout")),
    Need(CONFIG, "Config", PA, 1, ("ini_section", "output_buffer", "stdout", "cmd_opts",
                                   "config_args", "attributes")),
    Need(CONFIG, "Config.set_main_option", f"{FM}, {PA}, {AU}", 3),
    Need(CONFIG, "Config.get_main_option", PA, 3),
    Need(CONFIG, "Config.get_alembic_option", PA, 3),
    Need(CONFIG, "Config.set_section_option", f"{FM}, {PA}", 4),
    Need(CONFIG, "Config.get_section_option", FM, 3),
    Need(CONFIG, "Config.get_section", FM, 2),
    Need(CONFIG, "Config.print_stdout", FM, 4),
    Need(CONFIG, "Config.get_template_directory", FM, 1),
    Need(CONFIG, "Config", f"{FM}, {PA}", instance="config",
         attributes=("config_file_name", "cmd_opts", "attributes", "config_ini_section",
                     "output_buffer", "stdout", "config_args")),
    Need(CONFIG, "Config.config_file_name", FM, settable=True),
    Need(CONFIG, "Config.cmd_opts", FM, settable=True),
    Need(CONFIG, "Config.stdout", PA, settable=True),
    # -- commands
    Need(COMMAND, "", f"{PA}, {AU}"),
    Need(COMMAND, "init", FM, 2, ("template", "package")),
    Need(COMMAND, "revision", FM, 2, ("autogenerate", "sql", "head", "splice", "branch_label",
                                      "version_path", "rev_id")),
    Need(COMMAND, "revision", PA, 1, ("process_revision_directives", "autogenerate", "message")),
    Need(COMMAND, "edit", FM, 2),
    Need(COMMAND, "merge", FM, 2, ("message", "branch_label", "rev_id")),
    Need(COMMAND, "upgrade", f"{FM}, {AU}", 2, ("sql", "tag")),
    Need(COMMAND, "downgrade", f"{FM}, {AU}", 2, ("sql", "tag")),
    Need(COMMAND, "show", FM, 2),
    Need(COMMAND, "history", FM, 2, ("verbose", "indicate_current")),
    Need(COMMAND, "heads", FM, 1, ("verbose", "resolve_dependencies")),
    Need(COMMAND, "branches", FM, 1, ("verbose",)),
    Need(COMMAND, "current", f"{FM}, {AU}", 1, ("verbose",)),
    Need(COMMAND, "stamp", f"{FM}, {PA}", 2, ("sql", "tag", "purge")),
    Need(COMMAND, "check", f"{FM}, {AU}", 1),
    # -- errors and helpers
    Need("alembic.util", "CommandError", f"{FM}, {PA}"),
    Need("alembic.util.exc", "CommandError", PA),
    Need("alembic.util", "immutabledict", f"{PA} (type hints)"),
    Need("alembic.util", "DispatchPriority.LAST", APE),
    # -- env.py (Flask-Migrate's templates)
    Need("alembic.context", "configure", FM, 0, (
        "url", "target_metadata", "literal_binds", "connection", "output_buffer",
        "upgrade_token", "downgrade_token", "compare_type", "render_as_batch",
        "process_revision_directives")),
    Need("alembic.context", "begin_transaction", FM, 0),
    Need("alembic.context", "run_migrations", FM, 0, ("engine_name",)),
    Need("alembic.context", "is_offline_mode", FM, 0),
    # -- runtime
    Need("alembic.migration", "MigrationContext.configure", PA, 1),
    Need("alembic.runtime.migration", "MigrationContext.configure", f"{APE} tests", 0,
         ("connection", "opts", "dialect")),
    Need("alembic.runtime.migration", "MigrationContext", f"{PA}, {APE}", instance="migration",
         attributes=("opts", "dialect")),
    Need("alembic.runtime.migration", "RevisionStep", f"{PA} (type hints)"),
    Need("alembic.runtime.environment", "EnvironmentContext", PA, 2,
         ("fn", "destination_rev", "dont_mutate")),
    Need("alembic.runtime.environment", "EnvironmentContext", PA, 2, ("fn", "as_sql")),
    # -- scripts and the revision graph
    Need("alembic.script", "ScriptDirectory", PA),
    Need(SCRIPT, "ScriptDirectory.from_config", PA, 1),
    Need(SCRIPT, "ScriptDirectory.run_env", PA, 1),
    Need(SCRIPT, "ScriptDirectory.get_revisions", PA, 2),
    Need(SCRIPT, "ScriptDirectory._upgrade_revs", PA, 3),
    Need(SCRIPT, "ScriptDirectory._downgrade_revs", PA, 3),
    Need(SCRIPT, "ScriptDirectory._load_revisions", PA, 1),
    Need(SCRIPT, "ScriptDirectory.revision_map", PA, settable=True),
    Need("alembic.script.revision", "RevisionMap", PA, 1),
    Need("alembic.script.revision", "RevisionMap.iterate_revisions", PA, 3),
    Need("alembic.script.revision", "Revision", PA, 2),
    # -- autogenerate
    Need("alembic.autogenerate", "produce_migrations", PA, 2),
    Need("alembic.autogenerate", "render_python_code", PA, 1),
    Need("alembic.autogenerate", "comparators.dispatch_for", AU, 1),
    Need("alembic.autogenerate", "comparators.dispatch_for", APE, 1, ("priority",)),
    Need("alembic.autogenerate", "renderers.dispatch_for", AU, 1),
    Need("alembic.autogenerate.render", "renderers.dispatch_for", APE, 1),
    Need("alembic.autogenerate.render", "_render_cmd_body", PA, 2),
    Need("alembic.autogenerate.render", "_alter_column", APE, 2),
    Need("alembic.autogenerate", "_render_migration_diffs", f"{APE} tests", 2),
    Need("alembic.autogenerate", "_produce_net_changes", f"{APE} tests", 2),
    Need("alembic.autogenerate.api", "AutogenContext", PA, 1),
    Need("alembic.autogenerate.api", "AutogenContext", f"{APE} tests", 2),
    Need("alembic.autogenerate.api", "AutogenContext", f"{AU}, {APE}", instance="autogen",
         attributes=("opts", "imports", "dialect", "metadata", "connection", "inspector",
                     "run_name_filters", "run_object_filters")),
    Need("alembic.autogenerate.api", "AutogenContext.run_name_filters", AU, 4),
    Need("alembic.autogenerate.api", "AutogenContext.run_object_filters", AU, 4,
         ("reflected", "compare_to")),
    # -- operations
    Need("alembic.operations", "MigrateOperation", AU),
    Need("alembic.operations", "Operations", f"{APE} tests", 1),
    Need("alembic.operations", "Operations.register_operation", AU, 2),
    Need("alembic.operations", "Operations.implementation_for", AU, 1),
    Need("alembic.operations", "Operations.invoke", AU, 2),
    Need("alembic.operations", "Operations.execute", AU, 2),
    Need("alembic.operations", "Operations", f"{AU}, {APE}", instance="operations",
         attributes=("migration_context", "get_bind", "invoke", "execute")),
    Need("alembic.operations.base", "Operations.register_operation", APE, 1),
    Need(OPS, "MigrateOperation", APE),
    Need(OPS, "UpgradeOps", f"{APE} tests", 0, ("ops",)),
    Need(OPS, "UpgradeOps.as_diffs", f"{APE} tests", 1),
    Need(OPS, "UpgradeOps.is_empty", f"{FM}, {PA}", 1),
    Need(OPS, "ModifyTableOps", APE),
    Need(OPS, "AddColumnOp", APE, instance="add_column",
         attributes=("column", "table_name", "schema")),
    Need(OPS, "DropColumnOp", APE, instance="drop_column", attributes=("_reverse",)),
    Need(OPS, "AlterColumnOp", APE, instance="alter_column",
         attributes=("kw", "modify_type", "existing_type", "column_name", "table_name",
                     "schema", "modify_server_default")),
    Need(OPS, "AlterColumnOp.reverse", APE, 1),
    Need(OPS, "CreateTableOp", APE, instance="create_table", attributes=("columns", "schema")),
    Need(OPS, "DropTableOp", APE, instance="drop_table", attributes=("_reverse",)),
)

#: Runs in each venv: reads the needs (JSON on stdin), prints each one's problems (JSON; an empty
#: list when the name resolves and is used as the package uses it). In ``.venv-eco`` it first
#: installs dbshift's alias the way the dbshift CLI does before env.py; a module the alias serves
#: as a second execution of dbshift's (not the same module object) is a problem, and the other
#: checks then look at the module dbshift itself uses.
PROBE = r'''
import importlib, inspect, json, sys

try:
    import dbshift.compat
except ImportError:
    dbshift_name_for = None
else:
    dbshift.compat.install()
    dbshift_name_for = dbshift.compat.dbshift_name_for


def served(name):
    """The module that ``import <name>`` should give: dbshift's own where dbshift serves it."""
    return importlib.import_module(dbshift_name_for(name) if dbshift_name_for else name)


def recipe(name):
    import sqlalchemy as sa

    ops = served("alembic.operations.ops")
    migration = served("alembic.runtime.migration").MigrationContext.configure(
        dialect_name="postgresql", opts={}
    )
    column = sa.Column("c", sa.Integer)
    return {
        "config": lambda: served("alembic.config").Config(),
        "migration": lambda: migration,
        "autogen": lambda: served("alembic.autogenerate.api").AutogenContext(
            migration, autogenerate=False
        ),
        "operations": lambda: served("alembic.operations").Operations(migration),
        "add_column": lambda: ops.AddColumnOp("t", column),
        "drop_column": lambda: ops.DropColumnOp("t", "c"),
        "alter_column": lambda: ops.AlterColumnOp("t", "c"),
        "create_table": lambda: ops.CreateTableOp("t", [column]),
        "drop_table": lambda: ops.DropTableOp("t"),
    }[name]()


def check(need):
    problems = []
    try:
        obj = importlib.import_module(need["module"])
    except Exception as err:
        return [f"missing: import {need['module']}: {type(err).__name__}: {err}"]
    if dbshift_name_for is not None:
        own = served(need["module"])
        if own is not obj:
            problems.append(f"duplicate: {need['module']} is a second execution of "
                            f"{own.__name__}, not the same module")
            obj = own  # judge the rest on the module dbshift itself uses
    parts = [p for p in need["attr"].split(".") if p]
    if need["settable"]:
        # Assigned on instances: the class may have it (it must not be read-only) or not.
        parts, assigned = parts[:-1], parts[-1]
    for part in parts:
        try:
            obj = getattr(obj, part)
        except AttributeError as err:
            return problems + [f"missing: {type(err).__name__}: {err}"]
    if need["positional"] is not None:
        try:
            inspect.signature(obj).bind(*[None] * need["positional"],
                                        **dict.fromkeys(need["keywords"]))
        except TypeError as err:
            problems.append(f"different: the call does not bind: {err}")
        except ValueError:
            pass
    if need["instance"]:
        made = recipe(need["instance"])
        absent = [a for a in need["attributes"] if a not in dir(made)]
        if absent:
            problems.append(f"different: {need['instance']} objects lack {absent}")
    if need["settable"]:
        found = inspect.getattr_static(obj, assigned, None)
        if isinstance(found, property) and found.fset is None:
            problems.append(f"different: {need['attr']} is a read-only property")
    return problems


print(json.dumps([check(need) for need in json.load(sys.stdin)]))
'''
