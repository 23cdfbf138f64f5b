"""Batch "move and copy": rebuild a table with the queued changes, keeping everything else.

The old table (reflected, or ``copy_from``) becomes a plan of plain values: columns in order with
where each one's data comes from, constraints and indexes by name. The queued ops edit that plan;
the plan then becomes a new table ``_alembic_tmp_<name>``, filled with one
``INSERT INTO tmp (...) SELECT ... FROM old`` (rows never pass through Python), after which the old
table is dropped and the new one takes its name. A failed copy leaves the old table as it was.
Dialect extras (SQLite's views, triggers, table options, foreign-key pragmas) come from the
dialect's ``batch_rebuild_support`` when it has one.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    func,
    literal,
    literal_column,
    null,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql.base import _NONE_NAME
from sqlalchemy.sql.elements import conv
from sqlalchemy.sql.naming import ConventionDict, _constraint_name_for_table, _get_convention
from sqlalchemy.sql.schema import SchemaEventTarget
from sqlalchemy.types import NULLTYPE

from ..util.exc import CommandError

if TYPE_CHECKING:
    from .batch import BatchOperationsImpl

TEMP_PREFIX = "_alembic_tmp_"


def temp_table_name(table_name: str) -> str:
    """The name of the table being built: ``_alembic_tmp_<name>``, at most 50 characters."""
    return (TEMP_PREFIX + table_name)[:50]


@dataclass
class ColumnPlan:
    """One column of the new table and where its values come from."""

    name: str
    type: Any
    nullable: bool = True
    server_default: Any = None
    computed: Computed | None = None
    identity: Identity | None = None
    autoincrement: Any = "auto"
    comment: str | None = None
    dialect_kwargs: dict[str, Any] = field(default_factory=dict)
    #: Column of the old table that fills it (None: a new or generated column).
    source: str | None = None
    #: SELECT expression for the copy when it is not the plain source column.
    transfer: Any = None
    #: Condition that every copied row must meet for the type change to be lossless.
    lossless_check: Any = None
    #: Affinity a dialect guard (a temporary CHECK) holds the copied value to, instead of
    #: ``transfer``; ``guard_check`` is ``lossless_check`` for that guard.
    guard: str | None = None
    guard_check: Any = None
    #: The type is the old table's (a named type such as a PostgreSQL ENUM exists already).
    existing_type: bool = False

    def to_column(self) -> Column:
        type_ = self.type.copy() if isinstance(self.type, SchemaEventTarget) else self.type
        if self.existing_type and getattr(type_, "create_type", None):
            type_.create_type = False
        args: list[Any] = []
        if self.computed is not None:
            args.append(Computed(self.computed.sqltext, persisted=self.computed.persisted))
        if self.identity is not None:
            args.append(_copy_identity(self.identity))
        return Column(
            self.name,
            type_,
            *args,
            nullable=self.nullable,
            server_default=self.server_default,
            autoincrement=self.autoincrement,
            comment=self.comment,
            **self.dialect_kwargs,
        )


@dataclass
class ConstraintPlan:
    """A constraint of the new table: its kind, name, columns and options."""

    kind: str  # "primary" | "unique" | "foreignkey" | "check" | "other"
    name: str | None
    columns: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    sqltext: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    original: Any = None

    def mentions(self, column_name: str) -> bool:
        if column_name in self.columns:
            return True
        if self.kind == "check" and self.sqltext is not None:
            return _names_identifier(str(self.sqltext), column_name)
        return False


@dataclass
class IndexPlan:
    """An index of the new table: column names or expressions."""

    name: str | None
    elements: list[Any]
    unique: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    #: Verbatim CREATE INDEX (SQLite expression indexes reflection cannot describe).
    sql: str | None = None


class TableRebuild:
    """Rebuilds ``batch.table_name`` with ``batch.batch`` applied (see the module docstring)."""

    def __init__(self, batch: BatchOperationsImpl) -> None:
        self.batch = batch
        self.impl = batch.impl
        self._old_table: Table
        self._pending_renames: list[tuple[str, str]] = []
        self.table_name = batch.table_name
        self.schema = batch.schema
        self.temp_name = temp_table_name(batch.table_name)
        self.columns: dict[str, ColumnPlan] = {}
        self.constraints: list[ConstraintPlan] = []
        self.indexes: list[IndexPlan] = []
        self.comment: str | None = None
        self.table_kwargs: dict[str, Any] = {}
        self.added_fk = False
        self._seen_constraints: set[int] = set()

    @property
    def named_constraints(self) -> set[str]:
        """Names of the constraints the new table carries (PostgreSQL frees them first)."""
        return {c.name for c in self.constraints if c.name}

    # ------------------------------------------------------------------ the steps

    def run(self) -> None:
        """Plan, build and swap; raise CommandError with the old table intact on a failed copy."""
        batch = self.batch
        support = None
        if not self.impl.as_sql:
            factory = getattr(self.impl, "batch_rebuild_support", None)
            if factory is not None:
                support = factory(self.table_name, self.schema)
            else:
                support = ServerRebuild(self.impl, self.table_name, self.schema)
        renamed_natively = False
        if batch.copy_from is not None:
            old = batch.copy_from
        else:
            if self.impl.as_sql:
                raise CommandError(
                    f"batch_alter_table({self.table_name!r}) must rebuild the table, which needs "
                    "its structure, and --sql mode cannot reflect it; pass the table as a "
                    "complete Table object in copy_from=... so that reflection is skipped"
                )
            if support is not None:
                renamed_natively = support.rename_columns(self._renames())
            old = self._reflect()
            if support is not None:
                support.complete_reflection(old)
        self._old_table = old
        self._pending_renames = self._renames() if renamed_natively else []
        self._plan_from(old, support)
        for opname, args, kw in batch.batch:
            getattr(self, "_apply_" + opname)(*args, **dict(kw))
        self._apply_reordering()
        new = self._new_table()
        self._execute(old, new, support)

    def _renames(self) -> list[tuple[str, str]]:
        return [
            (args[1], kw["name"])
            for opname, args, kw in self.batch.batch
            if opname == "alter_column" and kw.get("name")
        ]

    def _reflect(self) -> Table:
        batch = self.batch
        metadata = MetaData(naming_convention=batch.naming_convention or {})
        listeners = []
        reflect_hook = getattr(self.impl, "autogen_column_reflect", None)
        if reflect_hook is not None:
            listeners.append(("column_reflect", reflect_hook))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa_exc.SAWarning)
            return Table(
                self.table_name,
                metadata,
                *batch.reflect_args,
                schema=self.schema,
                autoload_with=self.impl.connection,
                resolve_fks=False,
                listeners=listeners,
                **batch.reflect_kwargs,
            )

    # ------------------------------------------------------------------ the plan of the old table

    def _plan_from(self, old: Table, support: Any) -> None:
        for col in old.columns:
            self.columns[col.name] = _column_plan(col)
        convention = self.batch.naming_convention
        for const in _all_constraints(old):
            plan = self._constraint_plan(const, old, convention)
            if plan is not None:
                self.constraints.append(plan)
        expression_sql = support.expression_indexes() if support is not None else {}
        for index in sorted(old.indexes, key=lambda i: i.name or ""):
            if index.name in expression_sql:
                continue
            self.indexes.append(_index_plan(index))
        for name, sql in expression_sql.items():
            self.indexes.append(IndexPlan(name, [], sql=sql))
        self.comment = old.comment
        self.table_kwargs = {
            k: v for k, v in old.dialect_kwargs.items() if not k.endswith("_autoload")
        }

    def _constraint_plan(self, const: Any, table: Table, convention: Any) -> ConstraintPlan | None:
        if id(const) in self._seen_constraints:
            return None
        self._seen_constraints.add(id(const))
        if getattr(const, "_type_bound", False):
            return None  # comes back with the column's type
        name = _resolved_name(const, table, convention)
        options = {
            k: getattr(const, k)
            for k in ("deferrable", "initially")
            if getattr(const, k, None) is not None
        }
        options.update(const.dialect_kwargs)
        if isinstance(const, PrimaryKeyConstraint):
            if not const.columns:
                return None
            return ConstraintPlan("primary", name, [c.name for c in const.columns], options=options)
        if isinstance(const, ForeignKeyConstraint):
            for key in ("onupdate", "ondelete", "match"):
                if getattr(const, key, None) is not None:
                    options[key] = getattr(const, key)
            return ConstraintPlan(
                "foreignkey",
                name,
                [e.parent.name for e in const.elements],
                targets=[_fk_target(e) for e in const.elements],
                options=options,
            )
        if isinstance(const, UniqueConstraint):
            return ConstraintPlan("unique", name, [c.name for c in const.columns], options=options)
        if isinstance(const, CheckConstraint):
            return ConstraintPlan("check", name, sqltext=const.sqltext, options=options)
        return ConstraintPlan("other", name, original=const)

    # ------------------------------------------------------------------ applying the queued ops

    def _translate(self, name: str) -> str:
        """A column name as an op wrote it -> the name it has now, after SQLite's native renames."""
        for old, new in self._pending_renames:
            if name == old:
                name = new
        return name

    def _column(self, name: str) -> ColumnPlan:
        name = self._translate(name)
        try:
            return self.columns[name]
        except KeyError:
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): no column {name!r} in the table"
            ) from None

    def _apply_add_column(self, table_name: str, column: Column, **kw: Any) -> None:
        plan = _column_plan(column)
        plan.source, plan.existing_type = None, False
        before, after = kw.get("insert_before"), kw.get("insert_after")
        if plan.name in self.columns:
            if kw.get("if_not_exists"):
                return
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): column {plan.name!r} already exists"
            )
        self.columns[plan.name] = plan
        self._place(
            plan.name,
            self._translate(before) if before else None,
            self._translate(after) if after else None,
        )
        if column.primary_key:
            pk = self._primary_key()
            if pk is None:
                self.constraints.append(ConstraintPlan("primary", None, [plan.name]))
            elif plan.name not in pk.columns:
                pk.columns.append(plan.name)
        for const in list(column.constraints):
            if isinstance(const, CheckConstraint) and not getattr(const, "_type_bound", False):
                const_plan = self._constraint_plan(const, column.table, None)
                if const_plan is not None:
                    self.constraints.append(const_plan)

    def _apply_drop_column(self, table_name: str, column: Column, **kw: Any) -> None:
        name = self._translate(column.name)
        if name not in self.columns:
            if kw.get("if_exists"):
                return
            self._column(name)
        del self.columns[name]
        for const in list(self.constraints):
            if const.kind == "primary" and name in const.columns:
                const.columns.remove(name)
                if not const.columns:
                    self.constraints.remove(const)
            elif const.mentions(name):
                self.constraints.remove(const)
        self.indexes = [
            i for i in self.indexes
            if not (name in [e for e in i.elements if isinstance(e, str)]
                    or (i.sql is not None and _names_identifier(i.sql, name)))
        ]

    def _apply_alter_column(
        self,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        autoincrement: Any = None,
        comment: Any = False,
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        if name and (column_name, name) in self._pending_renames:
            # SQLite already renamed it natively, before reflection.
            self._pending_renames.remove((column_name, name))
            column_name = name
        column_name = self._translate(column_name)
        plan = self._column(column_name)
        if nullable is not None:
            plan.nullable = nullable
        if server_default is not False:
            plan.computed = plan.identity = None
            if isinstance(server_default, Computed):
                plan.computed, plan.server_default = server_default, None
            elif isinstance(server_default, Identity):
                plan.identity, plan.server_default = server_default, None
            else:
                plan.server_default = server_default
        if type_ is not None:
            type_ = type_() if isinstance(type_, type) else type_
            if plan.source is not None:
                self._plan_cast(plan, type_, kw.get("postgresql_using"))
            plan.type, plan.existing_type = type_, False
        if autoincrement is not None:
            plan.autoincrement = autoincrement
        if comment is not False:
            plan.comment = comment
        if name and name != column_name:
            self._rename(column_name, name)
        if insert_before or insert_after:
            self._place(plan.name, insert_before, insert_after)

    def _plan_cast(self, plan: ColumnPlan, new_type: Any, using: Any) -> None:
        source = self._source_column(plan)
        if using is not None:
            plan.transfer = literal_column(str(using))
            return
        transfer: dict[str, Any] = {"expr": source}
        existing = Column(plan.source, plan.type)
        self.impl.cast_for_batch_migrate(existing, transfer, new_type)
        if transfer["expr"] is not source:
            plan.transfer = transfer["expr"]
            plan.lossless_check = transfer.get("lossless_check")
            plan.guard = transfer.get("guard")
            plan.guard_check = transfer.get("guard_check")

    def _source_column(self, plan: ColumnPlan) -> Any:
        return self._old_table.c[plan.source]

    def _rename(self, old: str, new: str) -> None:
        if new in self.columns:
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): can't rename column {old!r} to "
                f"{new!r}, which exists"
            )
        self.columns = {(new if k == old else k): v for k, v in self.columns.items()}
        self.columns[new].name = new
        for const in self.constraints:
            const.columns = [new if c == old else c for c in const.columns]
        for index in self.indexes:
            index.elements = [new if e == old else e for e in index.elements]

    def _place(self, name: str, before: str | None, after: str | None) -> None:
        if not before and not after:
            return
        anchor = before or after
        self._column(anchor)  # type: ignore[arg-type]
        names = [n for n in self.columns if n != name]
        position = names.index(anchor) + (0 if before else 1)  # type: ignore[arg-type]
        names.insert(position, name)
        self.columns = {n: self.columns[n] for n in names}

    def _apply_reordering(self) -> None:
        orders = self.batch.partial_reordering
        if not orders:
            return
        before: dict[str, set[str]] = {n: set() for n in self.columns}
        for order in orders:
            for name in order:
                self._column(name)
            for first, second in zip(order, order[1:], strict=False):
                before[second].add(first)
        placed: list[str] = []
        pending = list(self.columns)
        while pending:
            for name in pending:
                if before[name] <= set(placed):
                    placed.append(name)
                    pending.remove(name)
                    break
            else:
                raise CommandError(
                    f"batch_alter_table({self.table_name!r}): partial_reordering "
                    f"{orders!r} is contradictory"
                )
        self.columns = {n: self.columns[n] for n in placed}

    def _primary_key(self) -> ConstraintPlan | None:
        return next((c for c in self.constraints if c.kind == "primary"), None)

    def _apply_add_constraint(self, const: Any, _column_bound: bool = False, **kw: Any) -> None:
        plan = self._constraint_plan(const, const.table, None)
        if plan is None:
            return
        if plan.kind == "primary":
            self.constraints = [c for c in self.constraints if c.kind != "primary"]
            for col in plan.columns:
                self._column(col).nullable = False
        if plan.kind == "foreignkey":
            self.added_fk = True
        for col in plan.columns:
            self._column(col)
        if plan.name and any(c.name == plan.name for c in self.constraints):
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): constraint {plan.name!r} already exists"
            )
        self.constraints.append(plan)

    def _apply_drop_constraint(self, const: Any, **kw: Any) -> None:
        if getattr(const, "_type_bound", False) or getattr(const, "_create_rule", None):
            return  # goes away with the column's old type
        name = _resolved_name(const, const.table, None)
        if not name:
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): drop_constraint needs the constraint's "
                "name (pass naming_convention=... to name reflected unnamed constraints)"
            )
        found = [c for c in self.constraints if c.name == name]
        if not found:
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): no constraint named {name!r} on the table"
            )
        for plan in found:
            self.constraints.remove(plan)

    def _apply_create_index(self, index: Index, **kw: Any) -> None:
        self.indexes = [i for i in self.indexes if i.name != index.name]
        plan = _index_plan(index)
        plan.elements = [self._translate(e) if isinstance(e, str) else e for e in plan.elements]
        for element in plan.elements:
            if isinstance(element, str):
                self._column(element)
        self.indexes.append(plan)

    def _apply_drop_index(self, index: Index, **kw: Any) -> None:
        before = len(self.indexes)
        self.indexes = [i for i in self.indexes if i.name != index.name]
        if len(self.indexes) == before and not kw.get("if_exists"):
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): no index named {index.name!r} on the table"
            )

    def _apply_create_table_comment(self, table: Table, **kw: Any) -> None:
        self.comment = table.comment

    def _apply_drop_table_comment(self, table: Table, **kw: Any) -> None:
        self.comment = None

    def _apply_create_column_comment(self, column: Column, **kw: Any) -> None:
        self._column(column.name).comment = column.comment

    # ------------------------------------------------------------------ the new table

    def _new_table(self) -> Table:
        metadata = MetaData()
        columns = [plan.to_column() for plan in self.columns.values()]
        kwargs = {**self.table_kwargs, **self.batch.table_kwargs}
        table = Table(
            self.temp_name, metadata, *columns, schema=self.schema, comment=self.comment, **kwargs
        )
        for plan in self.constraints:
            table.append_constraint(self._constraint(plan, table))
        for arg in self.batch.table_args:
            table.append_constraint(arg._copy() if hasattr(arg, "_copy") else arg)
        return table

    def _constraint(self, plan: ConstraintPlan, table: Table) -> Any:
        name = conv(plan.name) if plan.name else None
        if plan.kind == "primary":
            return PrimaryKeyConstraint(*plan.columns, name=name, **plan.options)
        if plan.kind == "unique":
            return UniqueConstraint(*plan.columns, name=name, **plan.options)
        if plan.kind == "check":
            return CheckConstraint(plan.sqltext, name=name, **plan.options)
        if plan.kind == "foreignkey":
            for target in plan.targets:
                _stub_referent(table.metadata, target)
            return ForeignKeyConstraint(plan.columns, plan.targets, name=name, **plan.options)
        return plan.original._copy()

    def _final_indexes(self, new: Table) -> list[Index]:
        """The indexes to create once the new table has the original name."""
        final = Table(
            self.table_name,
            MetaData(),
            *(Column(c.name, c.type) for c in new.columns),
            schema=self.schema,
        )
        built = []
        for plan in self.indexes:
            if plan.sql is not None:
                continue
            exprs = [final.c[e] if isinstance(e, str) else e for e in plan.elements]
            built.append(Index(plan.name, *exprs, unique=plan.unique, _table=final, **plan.options))
        return built

    # ------------------------------------------------------------------ running it

    def _execute(self, old: Table, new: Table, support: Any) -> None:
        impl = self.impl
        guards = [(p.name, p.guard) for p in self.columns.values() if p.guard and p.source]
        if guards and support is not None and support.can_guard():
            for plan in self.columns.values():
                if plan.guard and plan.source:
                    plan.transfer, plan.lossless_check = None, plan.guard_check
        else:
            guards = []
        insert = self._copy_statement(old, new)
        conn = impl.connection
        savepoint = None
        if not impl.as_sql and impl.transactional_ddl and conn.in_transaction():
            savepoint = conn.begin_nested()
        stage = "prepare the old table"
        try:
            if support is not None:
                support.before_create()
            impl.prep_table_for_batch(self, old)
            stage = "create the new table"
            if guards:
                support.create_guarded(new, guards)
            else:
                impl.create_table(new)
            stage = "copy the rows into the new table"
            impl._exec(insert)
            if guards:
                support.drop_guards(self.temp_name)
            stage = "replace the old table"
            if support is not None:
                support.swap(self.temp_name)
            else:
                impl.drop_table(old)
                impl.rename_table(self.temp_name, self.table_name, schema=self.schema)
            stage = "re-create the indexes"
            for index in self._final_indexes(new):
                impl.create_index(index)
            if support is not None:
                support.after_swap(
                    [(i.name, i.sql) for i in self.indexes if i.sql is not None],
                    check_foreign_keys=self.added_fk,
                )
        except Exception as err:
            if impl.as_sql:
                raise
            if savepoint is not None and savepoint.is_active:
                savepoint.rollback()
            elif stage != "replace the old table":
                self._drop_temp_table()
                self._restore_foreign_keys(old)
                if support is not None:
                    support.undo_before_create()
            detail = self._diagnose(err, support) if stage.startswith("copy") else None
            kept = (
                f"{self.table_name!r} and its rows are unchanged"
                if savepoint is not None or stage != "replace the old table"
                else f"the rows may now be only in {self.temp_name!r}"
            )
            message = detail or _one_line(err)
            raise CommandError(
                f"batch_alter_table({self.table_name!r}) failed to {stage}: {message}; {kept}"
            ) from err
        if savepoint is not None:
            savepoint.commit()

    def _copy_statement(self, old: Table, new: Table) -> Any:
        targets, exprs = [], []
        for plan in self.columns.values():
            if plan.source is None or plan.computed is not None:
                continue
            if old.c[plan.source].computed is not None:
                continue
            targets.append(new.c[plan.name])
            exprs.append(plan.transfer if plan.transfer is not None else old.c[plan.source])
        insert = new.insert().from_select(targets, select(*exprs).select_from(old))
        overriding = getattr(self.impl, "batch_copy_overriding", None)
        if overriding and any(
            p.identity is not None and p.identity.always and p.source is not None
            for p in self.columns.values()
        ):
            # e.g. PostgreSQL: copied values of GENERATED ALWAYS identity columns
            sql = str(insert.compile(dialect=self.impl.dialect))
            return sql.replace(") SELECT ", f") {overriding} SELECT ", 1)
        return insert

    def _restore_foreign_keys(self, old: Table) -> None:
        """Without transactional DDL, re-add the old table's FKs that prep_table_for_batch dropped."""
        from sqlalchemy import inspect as sa_inspect

        try:
            present = {
                fk["name"]
                for fk in sa_inspect(self.impl.connection).get_foreign_keys(
                    self.table_name, schema=self.schema
                )
            }
            for fk in old.foreign_key_constraints:
                if isinstance(fk.name, str) and fk.name and fk.name not in present:
                    for element in fk.elements:
                        _stub_referent(old.metadata, element.target_fullname)
                    self.impl.add_constraint(fk)
        except Exception:  # pragma: no cover - best effort, the original error matters more
            pass

    def _drop_temp_table(self) -> None:
        try:
            self.impl._exec(f"DROP TABLE IF EXISTS {_qualified(self.impl, self.temp_name, self.schema)}")
        except Exception:  # pragma: no cover - best effort, the original error matters more
            pass

    def _diagnose(self, err: Exception, support: Any) -> str | None:
        """Say which column/constraint and how many rows made the copy fail."""
        old = self._old_table
        conn = self.impl.connection
        checks = {
            plan.source: plan.lossless_check
            for plan in self.columns.values()
            if plan.lossless_check is not None
        }
        try:
            lossy = "integer overflow" in str(err) or "_dbshift_lossless_" in str(err)
            if checks and support is not None and lossy:
                found = support.explain_lossy_cast(checks, old)
                if found:
                    return "type change would lose data: " + found
            problems = []
            for plan in self.columns.values():
                if plan.nullable or plan.source is None:
                    continue
                src = old.c[plan.source]
                count = conn.execute(
                    select(func.count()).select_from(old).where(src.is_(None))
                ).scalar()
                if count:
                    problems.append(
                        f"column {plan.name!r} is NOT NULL but {count} row(s) hold NULL"
                    )
            sources = {p.name: p.source for p in self.columns.values()}
            for const in self.constraints:
                if const.kind not in ("unique", "primary"):
                    continue
                cols = [sources.get(c) for c in const.columns]
                if None in cols:
                    continue
                src_cols = [old.c[c] for c in cols]  # type: ignore[index]
                dupes = conn.execute(
                    select(func.count()).select_from(
                        select(*src_cols)
                        .where(*(c.is_not(None) for c in src_cols))
                        .group_by(*src_cols)
                        .having(func.count() > 1)
                        .subquery()
                    )
                ).scalar()
                if dupes:
                    label = const.name or f"{const.kind} ({', '.join(const.columns)})"
                    problems.append(
                        f"constraint {label!r}: {dupes} value(s) of "
                        f"({', '.join(const.columns)}) occur in more than one row"
                    )
            problems.extend(self._failing_checks(old))
            if problems:
                return "; ".join(problems) + f" (database said: {_one_line(err)})"
        except Exception:  # pragma: no cover - diagnosis is best effort
            return None
        return None

    def _failing_checks(self, old: Table) -> list[str]:
        """``constraint 'ck': N row(s) fail CHECK (...)`` for each CHECK the copied rows break.

        The rows are the old table's, projected as the new table would receive them (renamed,
        cast, new columns at their server default), so the CHECK text applies as written.
        """
        dialect = self.impl.dialect
        projected = []
        for plan in self.columns.values():
            if plan.source is not None:
                expr = plan.transfer if plan.transfer is not None else old.c[plan.source]
            elif isinstance(plan.server_default, str):
                expr = literal(plan.server_default)
            elif plan.server_default is not None and hasattr(plan.server_default, "text"):
                expr = literal_column(plan.server_default.text)
            else:
                expr = null()
            projected.append(expr.label(plan.name))
        rows = select(*projected).select_from(old).subquery("copied")
        found = []
        for const in self.constraints:
            if const.kind != "check" or const.sqltext is None:
                continue
            sqltext = const.sqltext
            if not isinstance(sqltext, str):
                sqltext = str(
                    sqltext.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
                )
            condition = " ".join(str(sqltext).split())
            count = self.impl.connection.execute(
                select(func.count()).select_from(rows).where(literal_column(f"NOT ({condition})"))
            ).scalar()
            if count:
                label = repr(const.name) if const.name else "(unnamed)"
                found.append(f"constraint {label}: {count} row(s) fail CHECK ({condition})")
        return found


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
        return False

    def complete_reflection(self, table: Table) -> None:
        pass

    def expression_indexes(self) -> dict[str, str]:
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
        return False

    def swap(self, temp_name: str) -> None:
        """DROP the old table (the dialect's hook detaches its dependents first), RENAME."""
        impl = self.impl
        try:
            hook = getattr(impl, "batch_prepare_swap", None)
            self._finish = hook(self.table_name, self.schema) if hook is not None else None
            impl._exec(f"DROP TABLE {_qualified(impl, self.table_name, self.schema)}")
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
                raise CommandError(
                    f"batch_alter_table({self.table_name!r}): could not re-create foreign key "
                    f"{fk.name!r} of {fk.table.name!r} on the rebuilt table: {_one_line(err)}"
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
                    _stub_referent(metadata, target)
                options = {k: v for k, v in (fk.get("options") or {}).items() if v is not None}
                const = ForeignKeyConstraint(columns, targets, name=fk["name"], **options)
                metadata.tables[f"{schema}.{child}" if schema else child].append_constraint(const)
                found.append(const)
        return found


# ---------------------------------------------------------------------------------------------
# helpers


def _column_plan(col: Column) -> ColumnPlan:
    server_default = None
    if col.server_default is not None and col.computed is None and col.identity is None:
        server_default = getattr(col.server_default, "arg", None)
    return ColumnPlan(
        name=col.name,
        type=col.type,
        nullable=col.nullable,
        server_default=server_default,
        computed=col.computed,
        identity=col.identity,
        autoincrement=col.autoincrement,
        comment=col.comment,
        dialect_kwargs=dict(col.dialect_kwargs),
        source=col.name,
        existing_type=True,
    )


def _copy_identity(identity: Identity) -> Identity:
    return Identity(
        always=identity.always,
        on_null=identity.on_null,
        start=identity.start,
        increment=identity.increment,
        minvalue=identity.minvalue,
        maxvalue=identity.maxvalue,
        nominvalue=identity.nominvalue,
        nomaxvalue=identity.nomaxvalue,
        cycle=identity.cycle,
        cache=identity.cache,
        order=identity.order,
    )


def _all_constraints(table: Table) -> list[Any]:
    found: list[Any] = []
    seen: set[int] = set()
    pk = table.primary_key
    for const in [pk, *sorted(table.constraints, key=_constraint_sort_key)]:
        if id(const) not in seen:
            seen.add(id(const))
            found.append(const)
    for col in table.columns:
        for const in col.constraints:
            if id(const) not in seen:
                seen.add(id(const))
                found.append(const)
    return found


def _constraint_sort_key(const: Any) -> tuple[int, str]:
    order = {"primary_key_constraint": 0, "unique_constraint": 1, "foreign_key_constraint": 2}
    name = const.name if isinstance(const.name, str) else ""
    return (order.get(const.__visit_name__, 3), name)


def _resolved_name(const: Any, table: Any, convention: Any) -> str | None:
    """The constraint's name: given, from the table's naming convention, or from ``convention``."""
    name = const.name
    if isinstance(name, str) and name is not _NONE_NAME and name:
        return str(name)
    if table is not None and isinstance(table, Table):
        try:
            resolved = _constraint_name_for_table(const, table)
        except Exception:
            resolved = None
        if resolved:
            return str(resolved)
        if convention:
            template = _get_convention(convention, type(const))
            if template is not None and template is not _NONE_NAME:
                try:
                    return str(template % ConventionDict(const, table, convention))
                except Exception:
                    return None
    return None


def _fk_target(element: Any) -> str:
    spec = element.target_fullname
    return str(spec)


def _stub_referent(metadata: MetaData, target: str) -> None:
    parts = target.split(".")
    colname, tname = parts[-1], parts[-2]
    schema = ".".join(parts[:-2]) or None
    key = f"{schema}.{tname}" if schema else tname
    referent = metadata.tables.get(key)
    if referent is None:
        referent = Table(tname, metadata, schema=schema)
    if colname not in referent.c:
        referent.append_column(Column(colname, NULLTYPE))


def _index_plan(index: Index) -> IndexPlan:
    elements: list[Any] = []
    for expr in index.expressions:
        if isinstance(expr, Column):
            elements.append(expr.name)
        else:
            elements.append(expr)
    return IndexPlan(
        index.name, elements, unique=bool(index.unique), options=dict(index.dialect_kwargs)
    )


def _names_identifier(sql: str, name: str) -> bool:
    pattern = r'(?<![\w$])"?' + re.escape(name) + r'"?(?![\w$])'
    return re.search(pattern, re.sub(r"'(?:[^']|'')*'", "''", sql), re.IGNORECASE) is not None


def _quoted(impl: Any, name: str | None) -> str:
    return impl.dialect.identifier_preparer.quote(name)


def _qualified(impl: Any, name: str, schema: str | None) -> str:
    preparer = impl.dialect.identifier_preparer
    if schema:
        return preparer.quote_schema(schema) + "." + preparer.quote(name)
    return preparer.quote(name)


def _one_line(err: BaseException) -> str:
    orig = getattr(err, "orig", None)
    return " ".join(str(orig if orig is not None else err).split()) or type(err).__name__


__all__ = [
    "ColumnPlan",
    "ConstraintPlan",
    "IndexPlan",
    "ServerRebuild",
    "TableRebuild",
    "temp_table_name",
]
