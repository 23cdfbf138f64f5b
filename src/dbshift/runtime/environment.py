"""``EnvironmentContext``: what a project's ``env.py`` talks to, through ``dbshift.context``.

A command builds an :class:`EnvironmentContext` with the :class:`~dbshift.config.Config`, the
:class:`~dbshift.script.ScriptDirectory` and its own options (``fn`` that plans the steps,
``as_sql``, ``starting_rev``, ``destination_rev``, ``tag``, ...), enters it (which makes the
``dbshift.context`` module proxy it) and runs ``env.py``. ``env.py`` then calls
:meth:`EnvironmentContext.configure` with a connection (or a URL offline) and
:meth:`EnvironmentContext.run_migrations`, which hands everything to a
:class:`~dbshift.runtime.migration.MigrationContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..util.exc import CommandError
from ..util.module_proxy import install_target, remove_target

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.engine.url import URL
    from sqlalchemy.sql.schema import MetaData

    from ..config import Config
    from ..ddl.impl import DefaultImpl
    from ..script.directory import ScriptDirectory
    from .migration import MigrationContext

__all__ = ["EnvironmentContext"]

_NOT_CONFIGURED = (
    "No MigrationContext is configured yet: call context.configure(connection=...) "
    "(or url=... offline) in env.py before this"
)


class EnvironmentContext:
    """The migration environment of one command run, as ``env.py`` sees it.

    ``kw`` becomes :attr:`context_opts`; commands pass ``fn`` (``fn(heads, migration_context)``
    returning the steps to run), ``as_sql``, ``starting_rev``, ``destination_rev``, ``tag``,
    ``template_args``, ``revision_context``, ``purge``, ``dont_mutate``, ``on_step_start`` and
    ``on_step_done``.
    :meth:`configure` copies these, plus its own options, into the ``MigrationContext`` opts.

    Use it as a context manager: inside the ``with`` block ``dbshift.context`` (and so
    ``from alembic import context`` through the compatibility shim) forwards to this object::

        with EnvironmentContext(config, script, fn=plan, as_sql=False):
            script.run_env()
    """

    _migration_context: MigrationContext | None = None

    def __init__(self, config: Config, script: ScriptDirectory, **kw: Any) -> None:
        #: The :class:`~dbshift.config.Config` of the running command.
        self.config = config
        #: The :class:`~dbshift.script.ScriptDirectory` of the project.
        self.script = script
        #: The command's options; :meth:`configure` adds to them and passes them on.
        self.context_opts: dict[str, Any] = kw

    # ------------------------------------------------------------------ proxy install

    def __enter__(self) -> EnvironmentContext:
        install_target(EnvironmentContext, self)
        return self

    def __exit__(self, *exc: Any) -> None:
        remove_target(EnvironmentContext)

    # ------------------------------------------------------------------ command arguments

    def is_offline_mode(self) -> bool:
        """True when the command runs with ``--sql``: SQL is written out, nothing is connected."""
        return bool(self.context_opts.get("as_sql", False))

    def requires_connection(self) -> bool:
        """True when ``env.py`` must give :meth:`configure` a connection (online mode)."""
        return not self.is_offline_mode()

    def is_transactional_ddl(self) -> bool:
        """Whether the configured database runs DDL inside transactions (needs configure())."""
        return bool(self.get_context().impl.transactional_ddl)

    def get_head_revision(self) -> str | None:
        """The id of the single head revision (an error when there are several)."""
        return self._as_revision_number("head")  # type: ignore[return-value]

    def get_head_revisions(self) -> tuple[str, ...]:
        """The ids of every head revision."""
        return self._as_revision_number("heads")  # type: ignore[return-value]

    def get_starting_revision_argument(self) -> str | tuple[str, ...] | None:
        """The start of an offline ``start:end`` range (or ``starting_rev`` given to configure),
        with symbolic names resolved as :meth:`get_revision_argument` does."""
        if self._migration_context is not None:
            start = self._migration_context._start_from_rev
        elif "starting_rev" in self.context_opts:
            start = self.context_opts["starting_rev"]
        else:
            raise CommandError("No starting revision argument is available.")
        return self._as_revision_number(start)

    def get_revision_argument(self) -> str | tuple[str, ...] | None:
        """The destination revision of the command, as Alembic gives it: ``head`` and
        ``label@head`` become the head's id, ``heads`` a tuple of ids, ``base`` ``None``;
        anything else (``+1``, ``ae1f+2``, a partial id, ``-1``) comes back as typed. For
        ``stamp``, the first of its revisions."""
        return self._as_revision_number(self.context_opts.get("destination_rev"))

    def get_tag_argument(self) -> str | None:
        """The ``--tag`` value of ``upgrade``/``downgrade``/``stamp`` (or configure's ``tag``)."""
        return self.context_opts.get("tag")

    def get_x_argument(self, as_dictionary: bool = False) -> list[str] | dict[str, str]:
        """The ``-x`` values of the command line, as a list or as a ``key=value`` dict.

        In dictionary form a value without ``=`` maps to the empty string.
        """
        cmd_opts = self.config.cmd_opts
        values: list[str] = list(getattr(cmd_opts, "x", None) or []) if cmd_opts else []
        if not as_dictionary:
            return values
        result: dict[str, str] = {}
        for arg in values:
            key, _, value = arg.partition("=")
            result[key] = value
        return result

    def _as_revision_number(self, ident: Any) -> Any:
        as_number = getattr(self.script, "as_revision_number", None)
        if as_number is not None:
            return as_number(ident)
        # Fallback for a ScriptDirectory without as_revision_number: ask the graph directly.
        revisions, _ = self.script.revision_map._resolve_revision_number(ident)
        if not revisions:
            return None
        if ident == "heads":
            return tuple(revisions)
        return revisions[0]  # as given: ``+1``, a partial id, ... are not resolved

    # ------------------------------------------------------------------ configure

    def configure(
        self,
        connection: Connection | None = None,
        url: str | URL | None = None,
        dialect_name: str | None = None,
        dialect_opts: Mapping[str, Any] | None = None,
        transactional_ddl: bool | None = None,
        transaction_per_migration: bool = False,
        output_buffer: TextIO | None = None,
        starting_rev: str | None = None,
        tag: str | None = None,
        template_args: Mapping[str, Any] | None = None,
        render_as_batch: bool = False,
        target_metadata: MetaData | Sequence[MetaData] | None = None,
        include_name: Callable[..., bool] | None = None,
        include_object: Callable[..., bool] | None = None,
        include_schemas: bool = False,
        process_revision_directives: Callable[..., None] | None = None,
        compare_type: bool | Callable[..., bool | None] = True,
        compare_server_default: bool | Callable[..., bool | None] = False,
        render_item: Callable[..., Any] | None = None,
        literal_binds: bool = False,
        upgrade_token: str = "upgrades",
        downgrade_token: str = "downgrades",
        alembic_module_prefix: str | None = "op.",
        sqlalchemy_module_prefix: str = "sa.",
        user_module_prefix: str | None = None,
        on_version_apply: Callable[..., None] | Collection[Callable[..., None]] | None = None,
        autogenerate_plugins: Sequence[str] | None = None,
        *,
        dialect: Dialect | None = None,
        version_table: str = "alembic_version",
        version_table_schema: str | None = None,
        version_table_pk: bool = True,
        output_encoding: str | None = None,
        mssql_batch_separator: str = "GO",
        oracle_batch_separator: str = "/",
        **kw: Any,
    ) -> None:
        """Set up the :class:`MigrationContext` for this run; the last call wins.

        Online, pass ``connection`` (a ``Connection``, not an ``Engine``). Offline (``--sql``),
        pass ``url`` or ``dialect_name`` (and ``dialect_opts``); output goes to ``output_buffer``,
        else ``Config.output_buffer``, else standard output. The autogenerate options
        (``target_metadata``, ``compare_*``, ``include_*``, ``render_*``, tokens and prefixes,
        ``process_revision_directives``, ``autogenerate_plugins``) are stored for ``revision
        --autogenerate`` and ``check``. Any other keyword is copied into the context's opts.
        """
        opts = self.context_opts
        if transactional_ddl is not None:
            opts["transactional_ddl"] = transactional_ddl
        if output_buffer is not None:
            opts["output_buffer"] = output_buffer
        elif getattr(self.config, "output_buffer", None) is not None:
            opts["output_buffer"] = self.config.output_buffer
        if starting_rev:
            opts["starting_rev"] = starting_rev
        if tag:
            opts["tag"] = tag
        if template_args:
            given = opts.get("template_args")
            if isinstance(given, dict):
                given.update(template_args)
            else:
                opts["template_args"] = dict(template_args)
        opts["transaction_per_migration"] = transaction_per_migration
        opts["target_metadata"] = target_metadata
        opts["include_name"] = include_name
        opts["include_object"] = include_object
        opts["include_schemas"] = include_schemas
        opts["render_as_batch"] = render_as_batch
        opts["upgrade_token"] = upgrade_token
        opts["downgrade_token"] = downgrade_token
        opts["sqlalchemy_module_prefix"] = sqlalchemy_module_prefix
        opts["alembic_module_prefix"] = alembic_module_prefix
        opts["user_module_prefix"] = user_module_prefix
        opts["literal_binds"] = literal_binds
        opts["process_revision_directives"] = process_revision_directives
        opts["on_version_apply"] = _as_callbacks(on_version_apply)
        if render_item is not None:
            opts["render_item"] = render_item
        opts["compare_type"] = compare_type
        opts["compare_server_default"] = compare_server_default
        if autogenerate_plugins is not None:
            opts["autogenerate_plugins"] = list(autogenerate_plugins)
        opts["version_table"] = version_table
        opts["version_table_schema"] = version_table_schema
        opts["version_table_pk"] = version_table_pk
        if output_encoding:
            opts["output_encoding"] = output_encoding
        opts["mssql_batch_separator"] = mssql_batch_separator
        opts["oracle_batch_separator"] = oracle_batch_separator
        opts["script"] = self.script
        opts.update(kw)

        if literal_binds and not opts.get("as_sql"):
            raise CommandError("literal_binds=True can only be used in offline (--sql) mode")

        from .migration import MigrationContext

        self._migration_context = MigrationContext.configure(
            connection=connection,
            url=url,
            dialect_name=dialect_name,
            dialect=dialect,
            environment_context=self,
            dialect_opts=dialect_opts,
            opts=opts,
        )

    # ------------------------------------------------------------------ running

    def run_migrations(self, **kw: Any) -> None:
        """Run the command's steps; ``kw`` is passed to every ``upgrade()``/``downgrade()``.

        ``dbshift.op`` proxies an ``Operations`` for the configured context while they run.
        """
        from ..operations import Operations

        migration_context = self.get_context()
        with Operations.context(migration_context):
            migration_context.run_migrations(**kw)

    def begin_transaction(self) -> Any:
        """The transaction block around the run (see ``MigrationContext.begin_transaction``).

        Offline with transactional DDL it writes ``BEGIN``/``COMMIT``; online it is a real
        transaction, one per revision with ``transaction_per_migration``, or nothing when the
        connection is already inside a transaction the caller began.
        """
        return self.get_context().begin_transaction()

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
        """Run a SQL string or construct through the context, like ``op.execute``."""
        self.get_context().execute(sql, execution_options=execution_options)

    def static_output(self, text: str) -> None:
        """Write ``text`` as-is to the offline SQL output (no statement terminator)."""
        self.get_context().impl.static_output(text)

    # ------------------------------------------------------------------ accessors

    def get_context(self) -> MigrationContext:
        """The :class:`MigrationContext` made by the last :meth:`configure` call."""
        if self._migration_context is None:
            raise CommandError(_NOT_CONFIGURED)
        return self._migration_context

    def get_bind(self) -> Connection:
        """The connection in use (a mock connection that writes SQL in offline mode)."""
        return self.get_context().bind  # type: ignore[return-value]

    def get_impl(self) -> DefaultImpl:
        """The dialect implementation (``DefaultImpl`` subclass) of the configured context."""
        return self.get_context().impl


def _as_callbacks(value: Any) -> tuple[Callable[..., Any], ...]:
    if value is None:
        return ()
    if callable(value):
        return (value,)
    return tuple(value)
