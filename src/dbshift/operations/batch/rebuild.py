"""Batch "move and copy": rebuild a table with the queued changes, keeping everything else.

The old table (reflected, or ``copy_from``) becomes a plan of plain values (:mod:`.plan`): columns
in order with where each one's data comes from, constraints and indexes by name. The queued ops
edit that plan; the plan then becomes a new table ``_alembic_tmp_<name>``, filled with one
``INSERT INTO tmp (...) SELECT ... FROM old`` (rows never pass through Python), after which the old
table is dropped and the new one takes its name. A failed copy leaves the old table as it was.
Dialect extras (SQLite's views, triggers, table options, foreign-key pragmas) come from the
dialect's ``batch_rebuild_support`` when it has one, else from :class:`.ServerRebuild`.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Protocol

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
    literal_column,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql.elements import conv

from ...util.error_text import one_line
from ...util.exc import BatchColumnMissing, BatchNameMissing, CommandError
from .plan import (
    ColumnPlan,
    ConstraintPlan,
    IndexPlan,
    all_constraints,
    column_plan,
    fk_target,
    index_plan,
    names_identifier,
    qualified_name,
    resolved_name,
    stub_referent,
)

if TYPE_CHECKING:
    from ...ddl.impl import DefaultImpl

TEMP_PREFIX = "_alembic_tmp_"


class QueuedBatch(Protocol):
    """What a rebuild reads of the batch it applies (a :class:`.BatchOperationsImpl`)."""

    impl: DefaultImpl
    table_name: str
    schema: str | None
    #: The queued changes: ``(method_name, args, kw)`` in call order.
    batch: list[tuple[str, tuple[Any, ...], dict[str, Any]]]
    copy_from: Table | None
    table_args: tuple[Any, ...]
    table_kwargs: dict[str, Any]
    reflect_args: tuple[Any, ...]
    reflect_kwargs: dict[str, Any]
    naming_convention: dict[str, Any] | None
    partial_reordering: list[tuple[str, ...]]


def temp_table_name(table_name: str) -> str:
    """The name of the table being built: ``_alembic_tmp_<name>``, at most 50 characters."""
    return (TEMP_PREFIX + table_name)[:50]


class TableRebuild:
    """Rebuilds ``batch.table_name`` with ``batch.batch`` applied (see the module docstring)."""

    def __init__(self, batch: QueuedBatch) -> None:
        self.batch = batch
        self.impl = batch.impl
        self.old_table: Table
        self._pending_renames: list[tuple[str, str]] = []
        #: old name -> new name of the columns this batch renamed so far
        self._renamed: dict[str, str] = {}
        #: column dropped by this batch -> the constraints and indexes on it then (they go,
        #: unless the batch adds a column of that name again)
        self._dropped: dict[str, list[Any]] = {}
        #: columns the batch added
        self._added: set[str] = set()
        #: indexes this batch created (their columns must exist once every op has run)
        self._created_indexes: list[IndexPlan] = []
        #: (first, second) column orderings from insert_before/insert_after, for partial_reordering.
        self._order_pairs: list[tuple[str, str]] = []
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
                from .server_rebuild import ServerRebuild

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
            old = self._reflect(support)
            if support is not None:
                support.complete_reflection(old)
        self.old_table = old
        self._pending_renames = self._renames() if renamed_natively else []
        self._plan_from(old, support)
        for opname, args, kw in batch.batch:
            getattr(self, "_apply_" + opname)(*args, **dict(kw))
        self._settle_dropped_columns()
        self._apply_reordering()
        new = self._new_table()
        self._execute(old, new, support)

    def _renames(self) -> list[tuple[str, str]]:
        return [
            (args[1], kw["name"])
            for opname, args, kw in self.batch.batch
            if opname == "alter_column" and kw.get("name")
        ]

    def _reflect(self, support: Any) -> Table:
        batch = self.batch
        metadata = MetaData(naming_convention=batch.naming_convention or {})
        listeners = []
        reflect_hook = getattr(self.impl, "autogen_column_reflect", None)
        if reflect_hook is not None:
            listeners.append(("column_reflect", reflect_hook))
        support_hook = getattr(support, "column_reflect", None)
        if support_hook is not None:
            listeners.append(("column_reflect", support_hook))
        prefetched = getattr(support, "reflection_info", None)
        extra: dict[str, Any] = {}
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa_exc.SAWarning)
            info = prefetched() if prefetched is not None else None
            if info is not None:
                # what the dialect read in bulk, in the shape Table's own reflection consumes
                extra["_reflect_info"] = info
            return Table(
                self.table_name,
                metadata,
                *batch.reflect_args,
                schema=self.schema,
                autoload_with=self.impl.connection,
                resolve_fks=False,
                listeners=listeners,
                **extra,
                **batch.reflect_kwargs,
            )

    # ------------------------------------------------------------------ the plan of the old table

    def _plan_from(self, old: Table, support: Any) -> None:
        for col in old.columns:
            self.columns[col.name] = column_plan(col)
        convention = self.batch.naming_convention
        for const in all_constraints(old):
            plan = self._constraint_plan(const, old, convention)
            if plan is not None:
                self.constraints.append(plan)
        expression_sql = support.expression_indexes() if support is not None else {}
        for index in sorted(old.indexes, key=lambda i: i.name or ""):
            if index.name in expression_sql:
                continue
            self.indexes.append(index_plan(index))
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
        name = resolved_name(const, table, convention)
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
                targets=[fk_target(e) for e in const.elements],
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
            raise BatchColumnMissing(
                f"batch_alter_table({self.table_name!r}): no column {name!r} in the table"
            ) from None

    def _apply_add_column(self, table_name: str, column: Column, **kw: Any) -> None:
        plan = column_plan(column)
        plan.source, plan.existing_type = None, False
        before, after = kw.get("insert_before"), kw.get("insert_after")
        if plan.name in self.columns:
            if kw.get("if_not_exists"):
                return
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): column {plan.name!r} already exists"
            )
        self.columns[plan.name] = plan
        self._added.add(plan.name)
        self._place(plan.name, before, after)
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
        on_it = [c for c in self.constraints if c.kind != "primary" and c.mentions(name)]
        on_it += [
            i for i in self.indexes
            if name in [e for e in i.elements if isinstance(e, str)]
            or (i.sql is not None and names_identifier(i.sql, name))
        ]
        self._dropped.setdefault(name, []).extend(on_it)
        for const in list(self.constraints):
            if const.kind == "primary" and name in const.columns:
                const.columns.remove(name)
                if not const.columns:
                    self.constraints.remove(const)
        # other constraints and indexes on the column are settled once every op has run (as
        # Alembic does): the batch may drop them itself, or add the column again

    def _settle_dropped_columns(self) -> None:
        """Leave out the constraints and indexes of the table on columns the batch dropped
        (and did not add again); an index the batch created must name existing columns."""
        doomed = {
            id(plan)
            for name, plans in self._dropped.items()
            if name not in self._added
            for plan in plans
        }
        self.constraints = [c for c in self.constraints if id(c) not in doomed]
        self.indexes = [i for i in self.indexes if id(i) not in doomed]
        for plan in self._created_indexes:
            for element in plan.elements:
                if isinstance(element, str) and any(plan is i for i in self.indexes):
                    self._column(element)

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
        original_name = column_name
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
                self._plan_cast(plan, type_, self._own_dialect_option(kw, "using"))
            plan.type, plan.existing_type = type_, False
        if autoincrement is not None:
            plan.autoincrement = autoincrement
        if comment is not False:
            plan.comment = comment
        if name and name != column_name:
            self._rename(column_name, name)
        if name and name != original_name:
            self._renamed[original_name] = name
        if insert_before or insert_after:
            self._place(plan.name, insert_before, insert_after)

    def _own_dialect_option(self, kw: dict[str, Any], option: str) -> Any:
        """``<dialect>_<option>`` for the dialect being migrated; options written for another
        dialect (``postgresql_using`` in a rebuild on SQLite) are ignored, as in Alembic."""
        return kw.get(f"{self.impl.dialect.name}_{option}")

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
        return self.old_table.c[plan.source]

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
        self._order_pairs = [
            (new if a == old else a, new if b == old else b) for a, b in self._order_pairs
        ]

    def _place(self, name: str, before: str | None, after: str | None) -> None:
        """Put column ``name`` before/after another: at once, or as an ordering pair when
        ``partial_reordering`` decides the order at the end (as Alembic does)."""
        if not before and not after:
            return
        before = self._translate(before) if before else None
        after = self._translate(after) if after else None
        self._column(before or after)  # type: ignore[arg-type]
        if self.batch.partial_reordering:
            self._order_pairs.append((name, before) if before else (after, name))  # type: ignore[arg-type]
            return
        from .ordering import place_column

        added = [n for n, p in self.columns.items() if p.source is None]
        names = place_column(list(self.columns), name, before=before, after=after, added=added)
        self.columns = {n: self.columns[n] for n in names}

    def _apply_reordering(self) -> None:
        orders = self.batch.partial_reordering
        if not orders:
            return
        from .ordering import OrderConflict, partial_order

        pairs = list(self._order_pairs)
        for order in orders:
            names = [self._reordered_name(name) for name in order]
            pairs.extend(zip(names, names[1:], strict=False))
        try:
            placed = partial_order(list(self.columns), pairs)
        except OrderConflict as err:
            raise CommandError(
                f"batch_alter_table({self.table_name!r}): partial_reordering "
                f"{orders!r} is contradictory (around {err})"
            ) from None
        self.columns = {n: self.columns[n] for n in placed}

    def _reordered_name(self, name: str) -> str:
        """A column named in ``partial_reordering``: by its name now, or by the name it had before
        this batch renamed it (the name Alembic expects there)."""
        if name not in self.columns:
            for old, new in self._renames():
                if name == old:
                    name = new
        return self._column(name).name

    def _primary_key(self) -> ConstraintPlan | None:
        return next((c for c in self.constraints if c.kind == "primary"), None)

    def _apply_add_constraint(self, const: Any, _column_bound: bool = False, **kw: Any) -> None:
        plan = self._constraint_plan(const, const.table, None)
        if plan is None:
            return
        if self._renamed and not self._follow_renames(plan):
            return
        if plan.kind == "primary":
            # the columns keep their NULL-ability, as under Alembic (servers make key columns
            # NOT NULL themselves; SQLite lets a non-INTEGER key column hold NULL)
            self.constraints = [c for c in self.constraints if c.kind != "primary"]
        if plan.kind == "foreignkey":
            self.added_fk = True
        for col in plan.columns:
            self._column(col)
        if plan.name and any(c.name == plan.name for c in self.constraints):
            # Alembic replaces the constraint of that name without a word; so does dbshift,
            # with one
            import warnings

            warnings.warn(
                f"batch_alter_table({self.table_name!r}): constraint {plan.name!r} already "
                "exists; the new one replaces it, as in Alembic",
                stacklevel=2,
            )
            self.constraints = [c for c in self.constraints if c.name != plan.name]
        self.constraints.append(plan)

    def _follow_renames(self, plan: ConstraintPlan) -> bool:
        """Columns renamed earlier in this batch, as Alembic's rebuild sees them in a new
        constraint: by the old name they are found (and the constraint follows the rename); by
        the new name they are not, and Alembic leaves the constraint out of the rebuilt table
        without a word. dbshift does the same, with a warning; False when left out."""
        new_names = set(self._renamed.values())
        unknown = [c for c in plan.columns if c in new_names and c not in self._renamed]
        if unknown:
            warnings.warn(
                f"batch_alter_table({self.table_name!r}): the new {plan.kind} constraint "
                f"{plan.name or ''!r} names column(s) {', '.join(map(repr, unknown))} by the "
                "name this same batch gives them; Alembic leaves such a constraint out of the "
                "rebuilt table, and so does dbshift (add it in a batch of its own)",
                stacklevel=4,
            )
            return False
        plan.columns = [self._renamed.get(c, c) for c in plan.columns]
        return True

    def _apply_drop_constraint(self, const: Any, **kw: Any) -> None:
        if getattr(const, "_type_bound", False) or getattr(const, "_create_rule", None):
            # the CHECK of the column's old type (an Enum or Boolean): a reflected one of its
            # name goes, as under Alembic; without a name or a match it goes with the type
            name = const.name if isinstance(const.name, str) and const.name else None
            if name:
                self.constraints = [
                    c for c in self.constraints if not (c.kind == "check" and c.name == name)
                ]
            return
        name = resolved_name(const, const.table, None)
        if not name:
            raise BatchNameMissing(
                f"batch_alter_table({self.table_name!r}): drop_constraint needs the constraint's "
                "name (pass naming_convention=... to name reflected unnamed constraints)"
            )
        found = [c for c in self.constraints if c.name == name]
        if not found:
            raise BatchNameMissing(
                f"batch_alter_table({self.table_name!r}): no constraint named {name!r} on the table"
            )
        for plan in found:
            self.constraints.remove(plan)

    def _apply_create_index(self, index: Index, **kw: Any) -> None:
        self.indexes = [i for i in self.indexes if i.name != index.name]
        plan = index_plan(index)
        plan.elements = [self._translate(e) if isinstance(e, str) else e for e in plan.elements]
        # its columns are looked up once every op has run (as Alembic does): a batch may
        # create the index before adding the columns it names
        self.indexes.append(plan)
        self._created_indexes.append(plan)

    def _apply_drop_index(self, index: Index, **kw: Any) -> None:
        before = len(self.indexes)
        self.indexes = [i for i in self.indexes if i.name != index.name]
        if len(self.indexes) == before and not kw.get("if_exists"):
            raise BatchNameMissing(
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
                stub_referent(table.metadata, target)
            return ForeignKeyConstraint(plan.columns, plan.targets, name=name, **plan.options)
        return plan.original._copy()

    def _final_indexes(self, new: Table) -> list[Index]:
        """The indexes to create once the new table has the original name."""
        if all(plan.sql is not None for plan in self.indexes):
            return []
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
                support.create_guarded(new, guards, self._copied_columns(old))
            else:
                impl.create_table(new)
            stage = "copy the rows into the new table"
            try:
                impl._exec(insert)
            except Exception as err:
                if not guards or not support.retry_with_checks(err, self.temp_name, new, guards):
                    raise
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
            from .diagnosis import explain_copy_failure

            if savepoint is not None and savepoint.is_active:
                savepoint.rollback()
            elif stage != "replace the old table":
                self._drop_temp_table()
                self._restore_foreign_keys(old)
                if support is not None:
                    support.undo_before_create()
            detail = explain_copy_failure(self, err, support) if stage.startswith("copy") else None
            kept = (
                f"{self.table_name!r} and its rows are unchanged"
                if savepoint is not None or stage != "replace the old table"
                else f"the rows may now be only in {self.temp_name!r}"
            )
            message = detail or one_line(err, database_message=True)
            raise CommandError(
                f"batch_alter_table({self.table_name!r}) failed to {stage}: {message}; {kept}"
            ) from err
        if savepoint is not None:
            savepoint.commit()

    def _copied_columns(self, old: Table) -> dict[str, Any]:
        """New column name -> the old column the copy fills it from (``None``: an expression)."""
        copied: dict[str, Any] = {}
        for plan in self.columns.values():
            if plan.source is None or plan.computed is not None:
                continue
            source = old.c[plan.source]
            if source.computed is None:
                copied[plan.name] = source if plan.transfer is None else None
        return copied

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
                        stub_referent(old.metadata, element.target_fullname)
                    self.impl.add_constraint(fk)
        except Exception:  # pragma: no cover - best effort, the original error matters more
            pass

    def _drop_temp_table(self) -> None:
        try:
            self.impl._exec(f"DROP TABLE IF EXISTS {qualified_name(self.impl, self.temp_name, self.schema)}")
        except Exception:  # pragma: no cover - best effort, the original error matters more
            pass

