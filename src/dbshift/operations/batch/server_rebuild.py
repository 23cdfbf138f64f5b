"""The swap step of a batch rebuild on a server database (PostgreSQL, MariaDB/MySQL, ...).

What differs from SQLite is not SQL but sequence: other tables' foreign keys must leave the table
before it is dropped and come back afterwards. The dialect SQL itself (views, triggers, sequences
to detach) stays in ``ddl/<dialect>.py`` behind the ``batch_prepare_swap`` hook.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKeyConstraint, MetaData, Table
from sqlalchemy.types import NULLTYPE

from ...util.error_text import one_line
from ...util.exc import CommandError
from .plan import qualified_name, stub_referent


class ServerRebuild:
    """The swap of a rebuild on a server database (PostgreSQL, MariaDB/MySQL, ...).

    Other tables' foreign keys to the table would make DROP fail: they are dropped just before
    and re-created (pointing at the new table) just after. What else the database ties to the old
    table (PostgreSQL views, triggers and sequences; MySQL triggers) comes from the dialect's
    ``batch_prepare_swap(table_name, schema)`` hook, which detaches it and returns a callable that
    puts it back once the new table has the name.
    """

    def __init__(self, impl: Any, table_name: str, schema: str | None) -> None:
        self.impl = impl
        self.table_name = table_name
        self.schema = schema
        self._incoming: list[ForeignKeyConstraint] = []
        self._finish: Any = None

    def rename_columns(self, renames: list[tuple[str, str]]) -> bool:
        """Servers rename inside the rebuild, not before it (returns False)."""
        return False

    def complete_reflection(self, table: Table) -> None:
        """Nothing to add: SQLAlchemy's reflection is complete enough here."""

    def expression_indexes(self) -> dict[str, str]:
        """None kept as SQL: reflected indexes are rebuilt from their plan."""
        return {}

    def before_create(self) -> None:
        """Drop the other tables' foreign keys to the table (they depend on its key's index)."""
        self._incoming = self._incoming_foreign_keys()
        for fk in self._incoming:
            self.impl.drop_constraint(fk)

    def undo_before_create(self) -> None:
        """Without transactional DDL: re-add the foreign keys :meth:`before_create` dropped."""
        if self.impl.transactional_ddl:
            return
        for fk in self._incoming:
            try:
                self.impl.add_constraint(fk)
            except Exception:  # pragma: no cover - best effort, the original error matters more
                pass

    def can_guard(self) -> bool:
        """No temporary-CHECK guard (that is SQLite's): the copy uses the dialect's CAST."""
        return False

    def swap(self, temp_name: str) -> None:
        """DROP the old table (the dialect's hook detaches its dependents first), RENAME."""
        impl = self.impl
        try:
            hook = getattr(impl, "batch_prepare_swap", None)
            self._finish = hook(self.table_name, self.schema) if hook is not None else None
            impl._exec(f"DROP TABLE {qualified_name(impl, self.table_name, self.schema)}")
        except Exception:
            self.undo_before_create()
            raise
        impl.rename_table(temp_name, self.table_name, schema=self.schema)

    def after_swap(self, expression_indexes: list[tuple[str, str]], check_foreign_keys: bool) -> None:
        """Re-create the incoming FKs, then let the dialect restore its dependents."""
        for fk in self._incoming:
            try:
                self.impl.add_constraint(fk)
            except Exception as err:
                said = one_line(err, database_message=True)
                raise CommandError(
                    f"batch_alter_table({self.table_name!r}): could not re-create foreign key "
                    f"{fk.name!r} of {fk.table.name!r} on the rebuilt table: {said}"
                ) from err
        if self._finish is not None:
            self._finish()

    def _incoming_foreign_keys(self) -> list[ForeignKeyConstraint]:
        from sqlalchemy import inspect as sa_inspect

        found = []
        reflected = sa_inspect(self.impl.connection).get_multi_foreign_keys(schema=self.schema)
        for (schema, child), fks in sorted(reflected.items(), key=lambda kv: kv[0][1]):
            if child == self.table_name:
                continue
            for fk in fks:
                if fk["referred_table"] != self.table_name or not fk.get("name"):
                    continue
                if (fk.get("referred_schema") or None) not in (None, self.schema):
                    continue
                metadata = MetaData()
                columns = fk["constrained_columns"]
                Table(child, metadata, *(Column(c, NULLTYPE) for c in columns), schema=schema)
                targets = [
                    ".".join(filter(None, [self.schema, self.table_name, col]))
                    for col in fk["referred_columns"]
                ]
                for target in targets:
                    stub_referent(metadata, target)
                options = {k: v for k, v in (fk.get("options") or {}).items() if v is not None}
                const = ForeignKeyConstraint(columns, targets, name=fk["name"], **options)
                metadata.tables[f"{schema}.{child}" if schema else child].append_constraint(const)
                found.append(const)
        return found
