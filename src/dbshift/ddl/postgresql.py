"""PostgreSQL: USING casts, identity columns, unqualified RENAME TO, INCLUDE columns, batch prep.

Everything else PostgreSQL needs is spelled by SQLAlchemy's own PostgreSQL compiler: ``COMMENT ON``,
``CREATE INDEX CONCURRENTLY ... USING ... INCLUDE ... WHERE``, ``UNIQUE NULLS NOT DISTINCT``,
``EXCLUDE`` constraints and ``CREATE TYPE`` for ENUM columns (fired by the table create events).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Identity, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ClauseElement, ColumnClause
from sqlalchemy.types import NULLTYPE

from ..util.error_text import one_line
from ..util.exc import CommandError
from . import elements
from .elements import (
    alter_column_clause,
    alter_table,
    format_table_name,
    format_type,
)
from .impl import DefaultImpl
from .server_default_text import strip_wrapping_parens

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Dialect
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.sql.schema import Index

log = logging.getLogger("alembic.ddl.postgresql")  # Alembic's logger name (see README)

#: Identity/sequence options that can be changed one by one with ``SET <option>``.
IDENTITY_OPTIONS: tuple[str, ...] = (
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "cache",
    "order",
    "on_null",
)


#: A SERIAL column's default: ``nextval('[schema.]<sequence>'::regclass)``.
_SERIAL_DEFAULT = re.compile(r"^nextval\('(?:\"?[\w\.]+\"?\.)?\"?(\w+)\"?'(?:::regclass)?\)$", re.I)
#: A trailing cast on a reflected default: ``::character varying``, ``::numeric(10,2)``, ``::text[]``.
_CAST_SUFFIX = re.compile(r"::\s*[\w\"\.]+(?:\s+[a-z_]+)*(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*\s*$", re.I)
#: A cast inside a normalised (space-free) expression.
_CAST_ANYWHERE = re.compile(r"::[a-z_\[\]]+")


class PostgresqlImpl(DefaultImpl):
    """PostgreSQL implementation (transactional DDL)."""

    __dialect__ = "postgresql"
    transactional_ddl = True
    type_synonyms = DefaultImpl.type_synonyms + ({"FLOAT", "DOUBLE PRECISION"},)
    reflects_fk_deferral = True

    def render_ddl_sql_expr(
        self, expr: ClauseElement, is_server_default: bool = False, is_index: bool = False,
        **kw: Any,
    ) -> str:
        """An index expression other than a plain column is written in parentheses, as
        PostgreSQL's CREATE INDEX needs it."""
        if is_index and not isinstance(expr, ColumnClause):
            expr = expr.self_group()
        return super().render_ddl_sql_expr(
            expr, is_server_default=is_server_default, is_index=is_index, **kw
        )

    def adjust_reflected_dialect_options(self, reflected: Any, kind: str) -> dict[str, Any]:
        """An empty ``postgresql_include`` is left out."""
        options = dict(reflected.get("dialect_options") or {})
        if not options.get("postgresql_include"):
            options.pop("postgresql_include", None)
        return options

    # ------------------------------------------------------------------ columns

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        schema: str | None = None,
        autoincrement: bool | None = None,
        comment: str | None | bool = False,
        existing_comment: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        """Like the generic ALTERs, but the type change (with ``postgresql_using``) comes first.

        An identity change whose options all equal the existing ones emits nothing.
        """
        using = kw.pop("postgresql_using", None)
        if using is not None and type_ is None:
            raise CommandError(
                f"alter_column of {table_name}.{column_name}: postgresql_using needs type_"
            )
        if type_ is not None:
            self._exec(
                PostgresqlColumnType(
                    table_name,
                    column_name,
                    type_,
                    using=using,
                    schema=schema,
                    existing_type=existing_type,
                    existing_nullable=existing_nullable,
                    existing_server_default=existing_server_default,
                    existing_comment=existing_comment,
                )
            )
        if (
            isinstance(server_default, Identity)
            and isinstance(existing_server_default, Identity)
            and not identity_changes(
                server_default, existing_server_default, self.identity_attrs_ignore
            )
        ):
            server_default = False
        super().alter_column(
            table_name,
            column_name,
            nullable=nullable,
            server_default=server_default,
            name=name,
            type_=None,
            schema=schema,
            autoincrement=autoincrement,
            comment=comment,
            existing_comment=existing_comment,
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_autoincrement=existing_autoincrement,
            **kw,
        )

    def validate_constraint(
        self, constraint_name: str, table_name: str, *, schema: str | None = None
    ) -> None:
        """``ALTER TABLE ... VALIDATE CONSTRAINT``: checks the rows under SHARE UPDATE EXCLUSIVE,
        which lets reads and writes go on."""
        self._exec(ValidateConstraint(table_name, constraint_name, schema=schema))

    # ------------------------------------------------------------------ indexes

    def create_index(self, index: Index, **kw: Any) -> None:
        """CREATE INDEX; ``postgresql_include`` columns missing from the stub table are added."""
        table = index.table
        if table is not None:
            for name in index.kwargs.get("postgresql_include") or ():
                if isinstance(name, str) and name not in table.c:
                    table.append_column(Column(name, NULLTYPE))
        super().create_index(index, **kw)

    # ------------------------------------------------------------------ autogenerate

    def autogen_column_reflect(self, inspector: Any, table: Any, column_info: dict[str, Any]) -> None:
        """A SERIAL column's ``nextval('<table>_<column>_seq'::regclass)`` default belongs to its
        owned sequence, not to the user: it is dropped from the reflected column."""
        default = column_info.get("default")
        if default and column_info.get("autoincrement"):
            match = _SERIAL_DEFAULT.match(default)
            if match and match.group(1) == f"{table.name}_{column_info['name']}_seq":
                log.info(
                    "Detected sequence named '%s' as owned by integer column '%s(%s)', "
                    "assuming SERIAL and omitting",
                    match.group(1), table.name, column_info["name"],
                )
                column_info["default"] = None

    def normalize_server_default(self, sql: str) -> tuple[str, Any]:
        """Casts (``'x'::character varying``, ``0::numeric``) are stripped before comparing."""
        previous = None
        sql = sql.strip()
        while previous != sql:
            previous = sql
            sql = _CAST_SUFFIX.sub("", strip_wrapping_parens(sql)).strip()
        return super().normalize_server_default(sql)

    def compare_server_default(
        self,
        inspector_column: Any,
        metadata_column: Column,
        rendered_metadata_default: str | None,
        rendered_inspector_default: str | None,
    ) -> bool | None:
        """Defaults that still differ as text are asked to the server: ``SELECT (a) = (b)``."""
        differs = super().compare_server_default(
            inspector_column, metadata_column, rendered_metadata_default, rendered_inspector_default
        )
        if not differs or rendered_metadata_default is None or rendered_inspector_default is None:
            return differs
        if self.connection is None or self.as_sql:
            return differs
        sql = f"SELECT ({rendered_inspector_default}) = ({rendered_metadata_default})"
        try:
            with self.connection.begin_nested():
                return not bool(self.connection.scalar(text(sql.replace(":", "\\:"))))
        except DBAPIError:
            return differs

    def autogen_expression_key(self, sql: str) -> str:
        """Casts in index expressions (``(title)::text``) do not count."""
        return _CAST_ANYWHERE.sub("", super().autogen_expression_key(sql))

    def autogen_standalone_type(self, type_: Any) -> Any:
        """A named native ENUM is a type of its own (``CREATE TYPE``): tables and columns that
        autogenerate creates get a ``postgresql.ENUM(..., create_type=False)`` stand-in."""
        from sqlalchemy import Enum
        from sqlalchemy.dialects import postgresql

        if isinstance(type_, Enum) and type_.native_enum and type_.name:
            return postgresql.ENUM(
                *type_.enums, name=type_.name, schema=type_.schema, create_type=False
            )
        return None

    def autogen_index_extras(
        self, index: Any = None, reflected: dict[str, Any] | None = None
    ) -> tuple[Any, ...]:
        """A partial index's WHERE (normalised) and a covering index's INCLUDE columns."""
        if reflected is not None:
            options = reflected.get("dialect_options") or {}
            where = options.get("postgresql_where")
            include = options.get("postgresql_include") or ()
        else:
            options = index.dialect_options["postgresql"]
            where = options.get("where")
            include = options.get("include") or ()
            if where is not None and not isinstance(where, str):
                where = str(
                    where.compile(
                        dialect=self.dialect,
                        compile_kwargs={"literal_binds": True, "include_table": False},
                    )
                )
        key = self.autogen_expression_key(str(where)) if where is not None else None
        return (key, tuple(c if isinstance(c, str) else c.name for c in include))

    def autogen_is_system_schema(self, schema: str) -> bool:
        """``pg_*`` schemas (catalog, toast, temp) and ``information_schema``."""
        return schema.startswith("pg_") or super().autogen_is_system_schema(schema)

    # ------------------------------------------------------------------ batch

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        """Drop the old table's named constraints before a batch rebuild re-creates them.

        PostgreSQL constraint names are unique per schema, so the new table could not reuse them
        while the old one still holds them. Only the names the new table carries over
        (``batch_impl.named_constraints``, when the batch impl has it) are dropped.
        """
        wanted = getattr(batch_impl, "named_constraints", None)
        for constraint in list(table.constraints):
            name = constraint.name
            if not isinstance(name, str) or not name:
                continue
            if wanted is not None and name not in wanted:
                continue
            self.drop_constraint(constraint)

    #: What the batch copy needs to insert the old values into GENERATED ALWAYS identity columns.
    batch_copy_overriding = "OVERRIDING SYSTEM VALUE"

    def batch_prepare_swap(self, table_name: str, schema: str | None) -> Any:
        """Before a batch rebuild drops ``table_name``: detach what PostgreSQL ties to the table
        (views, triggers, sequences) and return the callable that re-attaches it to the new one."""
        return BatchSwap(self, table_name, schema).detach()


# ---------------------------------------------------------------------------------------------
# Identity comparison


def identity_changes(new: Identity, existing: Identity, ignore: Sequence[str] = ()) -> list[str]:
    """Names of the identity options that ``new`` really changes on ``existing``, sorted.

    An option left at its default (``None``) in ``new`` is not a change; ``always`` counts
    ``None`` and ``False`` as the same.
    """
    changed = set()
    for attr in IDENTITY_OPTIONS:
        wanted = getattr(new, attr, None)
        if wanted is not None and wanted != getattr(existing, attr, None):
            changed.add(attr)
    if bool(getattr(new, "always", False)) != bool(getattr(existing, "always", False)):
        changed.add("always")
    return sorted(changed.difference(ignore))


# ---------------------------------------------------------------------------------------------
# DDL elements and their PostgreSQL spelling


class PostgresqlColumnType(elements.ColumnType):
    """``ALTER COLUMN c TYPE t [USING expr]``."""

    def __init__(
        self, table_name: str, column_name: str, type_: Any, using: Any = None, **kw: Any
    ) -> None:
        super().__init__(table_name, column_name, type_, **kw)
        self.using = using


@compiles(PostgresqlColumnType, "postgresql")
def _column_type(element: PostgresqlColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    table = alter_table(compiler, element.table_name, element.schema)
    column = alter_column_clause(compiler, element.column_name)
    text = f"{table} {column} TYPE {format_type(compiler, element.type_)}"
    if element.using is not None:
        using = element.using
        if isinstance(using, ClauseElement):
            using = compiler.sql_compiler.process(using, literal_binds=True)
        text += f" USING {using}"
    return text


class ValidateConstraint(elements.AlterTable):
    """``ALTER TABLE t VALIDATE CONSTRAINT name``."""

    def __init__(self, table_name: str, constraint_name: str, schema: str | None = None) -> None:
        super().__init__(table_name, schema=schema)
        self.constraint_name = constraint_name


@compiles(ValidateConstraint, "postgresql")
def _validate_constraint(element: ValidateConstraint, compiler: DDLCompiler, **kw: Any) -> str:
    table = alter_table(compiler, element.table_name, element.schema)
    return f"{table} VALIDATE CONSTRAINT {compiler.preparer.quote(element.constraint_name)}"


@compiles(elements.RenameTable, "postgresql")
def _rename_table(element: elements.RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    table = alter_table(compiler, element.table_name, element.schema)
    return f"{table} RENAME TO {format_table_name(compiler, element.new_table_name, None)}"


@compiles(elements.IdentityColumnDefault, "postgresql")
def _identity_default(
    element: elements.IdentityColumnDefault, compiler: DDLCompiler, **kw: Any
) -> str:
    table = alter_table(compiler, element.table_name, element.schema)
    prefix = f"{table} {alter_column_clause(compiler, element.column_name)}"
    new = element.default
    existing = element.existing_server_default
    if new is None:
        return f"{prefix} DROP IDENTITY"
    if not isinstance(existing, Identity):
        return f"{prefix} ADD {compiler.visit_identity_column(new)}"
    ignore = getattr(element.impl, "identity_attrs_ignore", ())
    clauses = []
    for attr in identity_changes(new, existing, ignore):
        if attr == "always":
            clauses.append("SET GENERATED " + ("ALWAYS" if new.always else "BY DEFAULT"))
        else:
            option = compiler.get_identity_options(Identity(**{attr: getattr(new, attr)}))
            if option:
                clauses.append(f"SET {option}")
    return f"{prefix} {' '.join(clauses)}"


# ---------------------------------------------------------------------------------------------
# Batch rebuild: the objects PostgreSQL binds to a table by OID


class BatchSwap:
    """Views (in dependency order), triggers, SERIAL sequences and identity counters of a table
    that a batch rebuild replaces: saved and detached before DROP, restored on the new table."""

    def __init__(self, impl: PostgresqlImpl, table_name: str, schema: str | None) -> None:
        self.impl = impl
        preparer = impl.dialect.identifier_preparer
        self.qualified = (
            f"{preparer.quote_schema(schema)}." if schema else ""
        ) + preparer.quote(table_name)
        self.table_name = table_name
        self.views: list[tuple[str, str, str]] = []  # (kind, qualified name, definition)
        self.triggers: list[str] = []
        self.owned: list[tuple[str, str]] = []  # (sequence, column)
        self.identities: list[tuple[str, str, int, bool]] = []  # (column, old seq, value, called)

    def _rows(self, sql: str, **params: Any) -> list[Any]:
        from sqlalchemy import text

        assert self.impl.connection is not None
        return list(self.impl.connection.execute(text(sql), params))

    def detach(self) -> Any:
        """Save the table's views, triggers, owned sequences and identity counters, drop the
        views and release the sequences; returns :meth:`attach`, to run on the new table."""
        oid = self._rows("SELECT CAST(:t AS regclass)::oid", t=self.qualified)[0][0]
        self._save_views(oid)
        self.triggers = [
            r[0] for r in self._rows(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = :oid "
                "AND NOT tgisinternal ORDER BY tgname", oid=oid,
            )
        ]
        self.owned = [
            (r[0], r[1]) for r in self._rows(
                "SELECT CAST(CAST(s.oid AS regclass) AS text), a.attname FROM pg_depend d "
                "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
                "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                "WHERE d.refobjid = :oid AND d.classid = CAST('pg_class' AS regclass) "
                "AND d.deptype = 'a'", oid=oid,
            )
        ]
        for column, in self._rows(
            "SELECT attname FROM pg_attribute WHERE attrelid = :oid AND attidentity <> '' "
            "AND NOT attisdropped", oid=oid,
        ):
            seq = self._rows("SELECT pg_get_serial_sequence(:t, :c)", t=self.qualified, c=column)
            if seq and seq[0][0]:
                value, called = self._rows(f"SELECT last_value, is_called FROM {seq[0][0]}")[0]
                self.identities.append((column, seq[0][0], value, called))
        for kind, name, _definition in reversed(self.views):
            self.impl._exec(f"DROP {kind} {name}")
        for sequence, _column in self.owned:
            self.impl._exec(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
        return self.attach

    def _save_views(self, oid: int) -> None:
        rows = self._rows(
            "WITH RECURSIVE deps(child, parent) AS ("
            " SELECT r.ev_class, d.refobjid FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
            " WHERE d.classid = CAST('pg_rewrite' AS regclass) AND d.refobjid = :oid"
            " AND r.ev_class <> :oid"
            " UNION"
            " SELECT r.ev_class, d.refobjid FROM deps JOIN pg_depend d ON d.refobjid = deps.child"
            " JOIN pg_rewrite r ON r.oid = d.objid"
            " WHERE d.classid = CAST('pg_rewrite' AS regclass) AND r.ev_class <> deps.child)"
            " SELECT deps.child, deps.parent, c.relkind, CAST(CAST(c.oid AS regclass) AS text),"
            " pg_get_viewdef(c.oid) FROM deps JOIN pg_class c ON c.oid = deps.child",
            oid=oid,
        )
        views = {r[0]: r for r in rows}
        parents: dict[int, set[int]] = {}
        for child, parent, *_rest in rows:
            parents.setdefault(child, set())
            if parent in views and parent != child:
                parents[child].add(parent)
        done: list[int] = []
        while len(done) < len(views):
            ready = sorted(v for v in views if v not in done and parents[v] <= set(done))
            if not ready:  # pragma: no cover - a cycle cannot exist between views
                break
            done.extend(ready)
        for view in done:
            _c, _p, kind, name, definition = views[view]
            self.views.append(
                ("MATERIALIZED VIEW" if kind == "m" else "VIEW", name, definition.strip().rstrip(";"))
            )

    def attach(self) -> None:
        """Give the new table back what :meth:`detach` saved: owned SERIAL sequences, identity
        counters, views and triggers."""
        for sequence, column in self.owned:
            present = self._rows(
                "SELECT 1 FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) "
                "AND attname = :c AND NOT attisdropped", t=self.qualified, c=column,
            )
            if present:
                # the new column got a SERIAL sequence of its own: back to the old one
                quoted = self.impl.dialect.identifier_preparer.quote(column)
                fresh = self._rows("SELECT pg_get_serial_sequence(:t, :c)", t=self.qualified, c=column)
                literal = sequence.replace("'", "''")
                self.impl._exec(
                    f"ALTER TABLE {self.qualified} ALTER COLUMN {quoted} "
                    f"SET DEFAULT nextval('{literal}'::regclass)"
                )
                if fresh and fresh[0][0] and not self._rows(
                    "SELECT CAST(:a AS regclass) = CAST(:b AS regclass)", a=fresh[0][0], b=sequence
                )[0][0]:
                    self.impl._exec(f"DROP SEQUENCE {fresh[0][0]}")
                self.impl._exec(f"ALTER SEQUENCE {sequence} OWNED BY {self.qualified}.{quoted}")
            else:
                self.impl._exec(f"DROP SEQUENCE {sequence}")
        for column, old_sequence, value, called in self.identities:
            seq = self._rows("SELECT pg_get_serial_sequence(:t, :c)", t=self.qualified, c=column)
            if not seq or not seq[0][0]:
                continue
            self._rows(
                f"SELECT setval(CAST(:s AS regclass), {int(value)}, {'true' if called else 'false'})",
                s=seq[0][0],
            )
            old_name = old_sequence.rsplit(".", 1)[-1]
            if seq[0][0].rsplit(".", 1)[-1] != old_name:
                self.impl._exec(f"ALTER SEQUENCE {seq[0][0]} RENAME TO {old_name}")
        for kind, name, definition in self.views:
            try:
                self._driver_sql(f"CREATE {kind} {name} AS {definition}")
            except Exception as err:
                raise CommandError(
                    f"batch_alter_table({self.table_name!r}): could not re-create view {name} "
                    "after rebuilding the table (does it use a dropped column?): "
                    f"{one_line(err, database_message=True)}"
                ) from err
        for trigger in self.triggers:
            self._driver_sql(trigger)

    def _driver_sql(self, sql: str) -> None:
        """Run SQL that PostgreSQL wrote itself, verbatim (no bind-parameter parsing)."""
        assert self.impl.connection is not None
        self.impl.connection.exec_driver_sql(sql)


# ------------------------------------------------------------------ named ENUM types
# The SQL of op.create_enum_type / drop_enum_type / add_enum_value / recreate_enum_type
# (dbshift.operations.ops.enums). Without a PostgreSQL dialect (rendering), PostgreSQL's own
# quoting rules are used.


def _enum_dialect(dialect: Dialect | None) -> Dialect:
    from sqlalchemy.dialects import postgresql

    return dialect if dialect is not None and dialect.name == "postgresql" else postgresql.dialect()


def _enum_type_name(dialect: Dialect | None, name: str, schema: str | None) -> str:
    from sqlalchemy.dialects import postgresql

    return _enum_dialect(dialect).identifier_preparer.format_type(
        postgresql.ENUM(name=name, schema=schema)
    )


def _enum_label(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_enum_type_sql(
    dialect: Dialect | None, type_name: str, values: Sequence[str], schema: str | None
) -> str:
    """``CREATE TYPE <name> AS ENUM ('a', 'b', ...)``."""
    labels = ", ".join(_enum_label(v) for v in values)
    return f"CREATE TYPE {_enum_type_name(dialect, type_name, schema)} AS ENUM ({labels})"


def drop_enum_type_sql(dialect: Dialect | None, type_name: str, schema: str | None) -> str:
    """``DROP TYPE <name>``."""
    return f"DROP TYPE {_enum_type_name(dialect, type_name, schema)}"


def add_enum_value_sql(
    dialect: Dialect | None,
    type_name: str,
    value: str,
    schema: str | None,
    *,
    before: str | None = None,
    after: str | None = None,
) -> str:
    """``ALTER TYPE <name> ADD VALUE IF NOT EXISTS 'v' [BEFORE 'x' | AFTER 'y']`` (``IF NOT
    EXISTS``: ADD VALUE runs outside the transaction, so a re-run after a later failure works)."""
    sql = (
        f"ALTER TYPE {_enum_type_name(dialect, type_name, schema)} ADD VALUE IF NOT EXISTS "
        f"{_enum_label(value)}"
    )
    if before is not None:
        sql += f" BEFORE {_enum_label(before)}"
    elif after is not None:
        sql += f" AFTER {_enum_label(after)}"
    return sql


def recreate_enum_type_sql(
    dialect: Dialect | None,
    type_name: str,
    values: Sequence[str],
    schema: str | None,
    columns: Sequence[tuple[str | None, str, str, str | None]],
) -> list[str]:
    """Rename the type to ``<name>_old``, create it with ``values``, convert each of ``columns``
    (schema, table, column, default SQL or None) through TEXT, drop the old type.

    Indexes and CHECK constraints that use the type in an expression are dropped first and
    created again at the end, and any other column on the type (arrays of it too) is converted
    (two ``DO`` blocks, so this also holds offline)."""
    prep = _enum_dialect(dialect).identifier_preparer
    qname = _enum_type_name(dialect, type_name, schema)
    old_name = f"{type_name}_old"
    out = [
        _SAVE_DEPENDENTS.replace("@TYPE@", _enum_label(qname)),
        f"ALTER TYPE {qname} RENAME TO {prep.quote(old_name)}",
        create_enum_type_sql(dialect, type_name, values, schema),
    ]
    for column_schema, table, column, default in columns:
        table_sql = (prep.quote_schema(column_schema) + "." if column_schema else "") + prep.quote(table)
        alter = f"ALTER TABLE {table_sql} ALTER COLUMN {prep.quote(column)}"
        if default is not None:
            out.append(f"{alter} DROP DEFAULT")
        out.append(f"{alter} TYPE {qname} USING CAST(CAST({prep.quote(column)} AS TEXT) AS {qname})")
        if default is not None:
            out.append(f"{alter} SET DEFAULT {default}")
    out.append(_RESTORE_DEPENDENTS.replace("@OLD@", _enum_label(
        _enum_type_name(dialect, old_name, schema))).replace("@NEW@", _enum_label(qname)))
    out.append(f"DROP TYPE {_enum_type_name(dialect, old_name, schema)}")
    return out


#: Before the type is renamed: the indexes and CHECK constraints whose expressions use the type
#: (``WHERE status = 'shipped'::order_status``) are saved in a temporary table and dropped; they
#: would compare the column with the renamed old type and make the conversion fail.
_SAVE_DEPENDENTS = (
    "DO $dbshift$ DECLARE r record; BEGIN "
    "CREATE TEMP TABLE IF NOT EXISTS dbshift_enum_dependents (pos serial, def text); "
    "FOR r IN SELECT DISTINCT 'index' AS kind, n.nspname AS nsp, c.relname AS name, "
    "CAST(NULL AS name) AS tbl, pg_get_indexdef(c.oid) AS def FROM pg_depend d "
    "JOIN pg_class c ON d.classid = CAST('pg_class' AS regclass) AND d.objid = c.oid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE d.refobjid = CAST(@TYPE@ AS regtype) AND c.relkind IN ('i', 'I') "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid) "
    "UNION SELECT 'check', n.nspname, k.conname, t.relname, pg_get_constraintdef(k.oid) "
    "FROM pg_depend d JOIN pg_constraint k ON d.classid = CAST('pg_constraint' AS regclass) "
    "AND d.objid = k.oid JOIN pg_class t ON t.oid = k.conrelid "
    "JOIN pg_namespace n ON n.oid = t.relnamespace "
    "WHERE d.refobjid = CAST(@TYPE@ AS regtype) AND k.contype = 'c' "
    "LOOP IF r.kind = 'index' THEN "
    "INSERT INTO dbshift_enum_dependents (def) VALUES (r.def); "
    "EXECUTE format('DROP INDEX %I.%I', r.nsp, r.name); "
    "ELSE INSERT INTO dbshift_enum_dependents (def) VALUES "
    "(format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', r.nsp, r.tbl, r.name, r.def)); "
    "EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', r.nsp, r.tbl, r.name); "
    "END IF; END LOOP; END $dbshift$"
)
#: After the listed columns are converted: every other column still on the old type (arrays of
#: it included) is converted too, then the saved indexes and CHECKs are created again.
_RESTORE_DEPENDENTS = (
    "DO $dbshift$ DECLARE r record; BEGIN "
    "FOR r IN SELECT n.nspname AS nsp, c.relname AS tbl, a.attname AS col, "
    "CASE WHEN a.atttypid = t.typarray THEN '[]' ELSE '' END AS arr FROM pg_attribute a "
    "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_type t ON t.oid = CAST(@OLD@ AS regtype) "
    "WHERE a.atttypid IN (t.oid, t.typarray) AND a.attnum > 0 AND NOT a.attisdropped "
    "AND c.relkind IN ('r', 'p') "
    "LOOP EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE %s USING CAST(CAST(%I AS TEXT%s) "
    "AS %s)', r.nsp, r.tbl, r.col, @NEW@ || r.arr, r.col, r.arr, @NEW@ || r.arr); END LOOP; "
    "FOR r IN SELECT def FROM dbshift_enum_dependents ORDER BY pos LOOP EXECUTE r.def; END LOOP; "
    "DROP TABLE dbshift_enum_dependents; END $dbshift$"
)


__all__ = [
    "IDENTITY_OPTIONS",
    "BatchSwap",
    "PostgresqlColumnType",
    "PostgresqlImpl",
    "add_enum_value_sql",
    "create_enum_type_sql",
    "drop_enum_type_sql",
    "identity_changes",
    "recreate_enum_type_sql",
]
