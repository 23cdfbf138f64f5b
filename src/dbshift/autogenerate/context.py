"""``AutogenContext``: what comparators and renderers share during one autogenerate run."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Table
from sqlalchemy import inspect as sa_inspect

from ..runtime.plugins import plugin_comparators, plugin_filter
from ..util.exc import CommandError
from .registry import ComparatorRegistry, comparators

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.engine.reflection import Inspector

    from ..runtime.migration import MigrationContext


plugin_log = logging.getLogger("alembic.runtime.plugins")  # Alembic's logger name (README)
#: The built-in comparator plugins Alembic also has, in the order Alembic sets them up.
_ALEMBIC_BUILTIN_PLUGINS = (
    "schemas", "tables", "types", "constraints", "defaults", "comments",
)


class AutogenContext:
    """The target metadata, the connection, the options and the import set of one run.

    Built from a :class:`~dbshift.runtime.migration.MigrationContext` (whose ``opts`` hold the
    ``configure()`` options) or standalone with ``opts`` only, for rendering.
    """

    def __init__(
        self,
        migration_context: MigrationContext | None,
        metadata: MetaData | Sequence[MetaData] | None = None,
        opts: dict[str, Any] | None = None,
        autogenerate: bool = True,
    ) -> None:
        if (
            autogenerate
            and migration_context is not None
            and migration_context.as_sql
        ):
            raise CommandError(
                "autogenerate can't use as_sql=True as it prevents querying the database for "
                "schema information"
            )
        if opts is None:
            opts = dict(migration_context.opts) if migration_context is not None else {}
        if metadata is None:
            metadata = opts.get("target_metadata")
        if autogenerate and metadata is None:
            env_py = getattr(
                getattr(migration_context, "script", None), "env_py_location", "env.py"
            )
            raise CommandError(
                "Can't proceed with --autogenerate option; environment script "
                f"{env_py} does not provide a MetaData object or sequence of objects to the "
                "context."
            )
        self.metadata = metadata
        self.migration_context = migration_context
        self.opts = opts
        self.imports: set[str] = set()
        self.connection: Connection | None = (
            migration_context.bind if migration_context is not None else None
        )
        self.dialect: Dialect | None = (
            migration_context.dialect if migration_context is not None else None
        )
        self.impl = migration_context.impl if migration_context is not None else None
        self.comparators: ComparatorRegistry = comparators
        self._inspector: Inspector | None = None
        self._name_filters = [f for f in [opts.get("include_name")] if f]
        self._object_filters = [f for f in [opts.get("include_object")] if f]
        self._plugin_enabled = None
        self._table_keys: dict[tuple[str | None, str], Table] | None = None
        if autogenerate and migration_context is not None:
            self._log_plugins()

    def _log_plugins(self) -> None:
        """Say which comparator plugins run, as Alembic's ``setting up autogenerate plugin``."""
        names = [f"dbshift.autogenerate.{n}" for n in _ALEMBIC_BUILTIN_PLUGINS]
        names.append("dbshift.ext.checkconstraint_byname")
        for name, _ in plugin_comparators():
            if name not in names:
                names.append(name)
        for name in names:
            if self.plugin_enabled(name):
                shown = "alembic." + name[len("dbshift."):] if name.startswith("dbshift.") else name
                plugin_log.info("setting up autogenerate plugin %s", shown)

    # ------------------------------------------------------------------ metadata

    @property
    def metadata_list(self) -> list[MetaData]:
        """The target metadata as a list."""
        if self.metadata is None:
            return []
        if isinstance(self.metadata, MetaData):
            return [self.metadata]
        return list(self.metadata)

    @property
    def table_key_to_table(self) -> dict[tuple[str | None, str], Table]:
        """``(schema, name) -> Table`` over all target metadata (duplicates are an error)."""
        if self._table_keys is None:
            keys: dict[tuple[str | None, str], Table] = {}
            for md in self.metadata_list:
                for table in md.tables.values():
                    key = (table.schema, table.name)
                    if key in keys:
                        raise ValueError(
                            f"Duplicate table keys across multiple MetaData objects: {table.fullname!r}"
                        )
                    keys[key] = table
            self._table_keys = keys
        return self._table_keys

    @property
    def sorted_tables(self) -> list[Table]:
        """Every target table, dependencies first, metadata by metadata."""
        out: list[Table] = []
        for md in self.metadata_list:
            out.extend(md.sorted_tables)
        return out

    # ------------------------------------------------------------------ database

    @property
    def inspector(self) -> Inspector:
        """A SQLAlchemy ``Inspector`` on the connection (one per run, so its cache is shared)."""
        if self._inspector is None:
            if self.connection is None:
                raise CommandError("autogenerate needs a database connection to compare against")
            self._inspector = sa_inspect(self.connection)
        return self._inspector

    @property
    def dialect_name(self) -> str:
        """The dialect name (``default`` when rendering without a database)."""
        return self.dialect.name if self.dialect is not None else "default"

    # ------------------------------------------------------------------ filters and plugins

    def run_name_filters(self, name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        """``include_name`` hooks: whether to consider a reflected object, by name."""
        if not self._name_filters:
            return True
        names = dict(parent_names)
        if "schema_name" in names and "table_name" in names:
            schema, table = names["schema_name"], names["table_name"]
            names["schema_qualified_table_name"] = f"{schema}.{table}" if schema else table
        return all(fn(name, type_, names) for fn in self._name_filters)

    def run_object_filters(
        self, obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        """``include_object`` hooks: whether to consider an object (metadata or reflected)."""
        return all(fn(obj, name, type_, reflected, compare_to) for fn in self._object_filters)

    @property
    def has_object_filters(self) -> bool:
        """True when ``include_object`` is set (so reflected objects must be built for it)."""
        return bool(self._object_filters)

    def plugin_enabled(self, plugin: str) -> bool:
        """Whether the comparator plugin ``plugin`` runs (``autogenerate_plugins``)."""
        if self._plugin_enabled is None:
            self._plugin_enabled = plugin_filter(
                self.opts.get("autogenerate_plugins"), self.comparators.plugin_names()
            )
        return self._plugin_enabled(plugin)

    def dispatch(self, target: str) -> Any:
        """The comparator chain for ``target`` on this dialect."""
        return self.comparators.chain(target, self.dialect_name, self.plugin_enabled)
