"""MySQL and MariaDB: CHANGE/MODIFY with the full column spec, constraint drops by kind.

MySQL has no statement that changes one aspect of a column (except its default): a rename is
``CHANGE old new <colspec>`` and any other change is ``MODIFY c <colspec>``, where ``<colspec>``
restates the whole column. Whatever the caller does not change is therefore taken from the
``existing_*`` arguments, and the existing type is mandatory.

MariaDB is spelled the same way except for ``DROP CONSTRAINT`` (MySQL says ``DROP CHECK``) and the
``IF EXISTS`` forms it accepts. SQLAlchemy reads only ``mariadb_*`` dialect options on a MariaDB
connection; :class:`MariaDBImpl` copies a table's or index's ``mysql_*`` options to their
``mariadb_*`` names (unless given) so that migrations written for MySQL keep their meaning.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy import types as sqltypes
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import ExecutableDDLElement
from sqlalchemy.sql.elements import BinaryExpression, Grouping, UnaryExpression
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.operators import asc_op, desc_op

from ..util.exc import CommandError
from . import elements
from .impl import DefaultImpl

if TYPE_CHECKING:
    from sqlalchemy import Index, Table
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.sql.schema import Constraint
    from sqlalchemy.types import TypeEngine

class _NoGenericDropConstraint(CommandError, NotImplementedError):
    """``drop_constraint`` without ``type_``: dbshift's one-line error, and the
    NotImplementedError Alembic raises here, so ``except`` clauses written for it still work."""


_DROP_KEYWORDS = {
    "foreignkey": "FOREIGN KEY",
    "primary": "PRIMARY KEY",
    "unique": "INDEX",
}


# One read of the current database's structure (not its data): what the statement journal
# compares to tell whether a DDL statement sent before a kill was applied.
_SCHEMA_FINGERPRINT = " UNION ALL ".join(
    (
        "SELECT CONCAT_WS('|', 'T', TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT) "
        "FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
        "SELECT CONCAT_WS('|', 'C', TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, "
        "IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT) "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()",
        "SELECT CONCAT_WS('|', 'I', TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE) "
        "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()",
        "SELECT CONCAT_WS('|', 'K', TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE) "
        "FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()",
        "SELECT CONCAT_WS('|', 'V', TABLE_NAME, VIEW_DEFINITION) "
        "FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()",
        "SELECT CONCAT_WS('|', 'G', TRIGGER_NAME, ACTION_STATEMENT) "
        "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()",
        "SELECT CONCAT_WS('|', 'R', ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION) "
        "FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()",
    )
)


class MySQLImpl(DefaultImpl):
    """MySQL implementation: ``alter_column`` restates the column with CHANGE or MODIFY."""

    __dialect__ = "mysql"
    transactional_ddl = False
    type_synonyms = DefaultImpl.type_synonyms + ({"BOOL", "TINYINT"}, {"JSON", "LONGTEXT"})
    type_arg_extract = (r"character set ([\w\-_]+)", r"collate ([\w\-_]+)")

    def journal_noop_sql(self) -> str | None:
        return "DO 0"

    def schema_fingerprint_sql(self) -> tuple[str, ...]:
        return (_SCHEMA_FINGERPRINT,)

    def render_ddl_sql_expr(
        self, expr: Any, is_server_default: bool = False, is_index: bool = False, **kw: Any
    ) -> str:
        """An index expression (an operation or a function, not a bare or ordered column) is
        written in parentheses: MySQL's functional key parts need them."""
        if is_index and (
            isinstance(expr, (BinaryExpression, FunctionElement))
            or (isinstance(expr, UnaryExpression) and expr.modifier not in (desc_op, asc_op))
        ):
            expr = Grouping(expr)
        return super().render_ddl_sql_expr(
            expr, is_server_default=is_server_default, is_index=is_index, **kw
        )

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
        """One statement: CHANGE (rename, or a new default on a DATETIME/TIMESTAMP column),
        MODIFY (nullability, type, autoincrement, comment) or ALTER COLUMN SET/DROP DEFAULT.

        CHANGE and MODIFY restate the whole column from the new values and the ``existing_*``
        ones: an ``existing_*`` value left out is lost (default, comment, AUTO_INCREMENT) or
        assumed (nullable becomes NULL).
        """
        existing = {
            "schema": schema,
            "existing_type": existing_type,
            "existing_nullable": existing_nullable,
            "existing_server_default": existing_server_default,
            "existing_comment": existing_comment,
        }
        proposed = None if server_default is False else server_default
        if elements.server_default_changes_kind(proposed, existing_server_default) != "plain":
            # A generated or identity column can't be restated safely; the element raises.
            self._exec(
                self._default_change(
                    table_name, column_name, proposed, existing_server_default, existing
                )
            )
            return
        new_type = type_ if type_ is not None else existing_type
        restate = {
            "schema": schema,
            "nullable": nullable
            if nullable is not None
            else (existing_nullable if existing_nullable is not None else True),
            "type_": new_type,
            "default": server_default if server_default is not False else existing_server_default,
            "autoincrement": autoincrement
            if autoincrement is not None
            else existing_autoincrement,
            "comment": comment if comment is not False else existing_comment,
        }
        if name is not None or _is_datetime_default_change(new_type, server_default):
            self._exec(
                MySQLChangeColumn(table_name, column_name, name or column_name, **restate)
            )
        elif (
            nullable is not None
            or type_ is not None
            or autoincrement is not None
            or comment is not False
        ):
            self._exec(MySQLModifyColumn(table_name, column_name, **restate))
        elif server_default is not False:
            self._exec(
                MySQLAlterDefault(table_name, column_name, server_default, schema=schema)
            )

    def prep_table_for_batch(self, batch_impl: Any, table: Any) -> None:
        """Drop the old table's foreign keys that a batch rebuild re-creates (FK names are unique
        per database); the rebuild re-adds them to the old table if its copy fails."""
        wanted = getattr(batch_impl, "named_constraints", None)
        for fk in list(table.foreign_key_constraints):
            if isinstance(fk.name, str) and fk.name and (wanted is None or fk.name in wanted):
                self.drop_constraint(fk)

    def batch_prepare_swap(self, table_name: str, schema: str | None) -> Any:
        """Before a batch rebuild drops ``table_name``: save its triggers (DROP TABLE drops them)
        and AUTO_INCREMENT counter; returns the callable that restores both on the new table."""
        from sqlalchemy import text

        conn = self.connection
        assert conn is not None
        where = "EVENT_OBJECT_SCHEMA = " + (":s" if schema else "DATABASE()")
        names = conn.execute(
            text("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE "
                 f"{where} AND EVENT_OBJECT_TABLE = :t ORDER BY ACTION_ORDER"),
            {"s": schema, "t": table_name},
        ).scalars().all()
        preparer = self.dialect.identifier_preparer
        prefix = f"{preparer.quote_schema(schema)}." if schema else ""
        triggers = [
            conn.exec_driver_sql(f"SHOW CREATE TRIGGER {prefix}{preparer.quote(n)}").fetchone()[2]
            for n in names
        ]
        counter = conn.execute(
            text("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE "
                 f"{where.replace('EVENT_OBJECT_SCHEMA', 'TABLE_SCHEMA')} AND TABLE_NAME = :t"),
            {"s": schema, "t": table_name},
        ).scalar()

        def restore() -> None:
            if counter:
                conn.exec_driver_sql(
                    f"ALTER TABLE {prefix}{preparer.quote(table_name)} AUTO_INCREMENT = {int(counter)}"
                )
            for trigger in triggers:
                conn.exec_driver_sql(trigger)

        return restore

    def drop_constraint(self, const: Constraint, *, if_exists: bool | None = None) -> None:
        """DROP FOREIGN KEY / PRIMARY KEY / INDEX / CHECK (MariaDB: CONSTRAINT) by kind.

        The kind must be known (``type_=`` on ``drop_constraint``). CHECK constraints that
        belong to a type (Boolean, Enum) are skipped, as the type owns them.
        """
        if isinstance(const, CheckConstraint) and getattr(const, "_type_bound", False):
            return
        kind = _constraint_kind(const)
        table_name = const.table.name if const.table is not None else "?"  # type: ignore[attr-defined]
        if kind is None:
            raise _NoGenericDropConstraint(
                f"Can't drop constraint {const.name!r} on table {table_name!r}: "
                f"{self.dialect.name} spells DROP differently per kind, so pass "
                "type_='foreignkey', 'primary', 'unique' or 'check' to drop_constraint"
            )
        if if_exists and not self._drop_if_exists_spelled(kind):
            # Alembic drops the flag without a word; dbshift drops it with one
            server, lacking = (
                ("MariaDB", "DROP PRIMARY KEY IF EXISTS") if self._is_mariadb
                else ("MySQL", "DROP ... IF EXISTS for constraints")
            )
            warnings.warn(
                f"{server} has no {lacking}: constraint {const.name!r} on table "
                f"{table_name!r} is dropped unconditionally, as Alembic does (the statement "
                "fails if it is not there)",
                stacklevel=4,
            )
            if_exists = False
        self._exec(MySQLDropConstraint(const, kind, if_exists=bool(if_exists)))

    @property
    def _is_mariadb(self) -> bool:
        return bool(getattr(self.dialect, "is_mariadb", False))

    def _drop_if_exists_spelled(self, kind: str) -> bool:
        """Whether ``IF EXISTS`` can be written for a DROP of this kind: MariaDB has it for
        foreign keys, indexes and CHECK constraints, not for the primary key; MySQL has none."""
        return self._is_mariadb and kind != "primary"

    def drop_index(self, index: Index, **kw: Any) -> None:
        """``DROP INDEX ix ON t``: MySQL needs the table name."""
        self._drop_index_within_table(index, **kw)

    # ------------------------------------------------------------------ autogenerate

    def compare_type(self, inspector_column: Any, metadata_column: Any) -> bool | None:
        """ENUM members are compared as a set (MySQL reflects them in its own order)."""
        conn_type = getattr(inspector_column, "type", None)
        meta_type = metadata_column.type
        if isinstance(conn_type, sqltypes.Enum) and isinstance(meta_type, sqltypes.Enum):
            return set(conn_type.enums) != set(meta_type.enums)
        return None

    def normalize_server_default(self, sql: str) -> tuple[str, Any]:
        """``curdate()`` is the current date too."""
        kind, value = super().normalize_server_default(sql)
        if kind == "expr" and value == "curdate()":
            return kind, "current_date"
        return kind, value

    def compare_server_default(
        self,
        inspector_column: Any,
        metadata_column: Any,
        rendered_metadata_default: str | None,
        rendered_inspector_default: str | None,
    ) -> bool | None:
        """MySQL 8 reflects a string default without its quotes (``anon`` for ``'anon'``)."""
        differs = super().compare_server_default(
            inspector_column, metadata_column, rendered_metadata_default, rendered_inspector_default
        )
        if not differs or rendered_metadata_default is None or rendered_inspector_default is None:
            return differs
        conn = self.normalize_server_default(rendered_inspector_default)
        meta = self.normalize_server_default(rendered_metadata_default)
        if {conn[0], meta[0]} == {"str", "expr"}:
            return str(conn[1]).lower() != str(meta[1]).lower()
        return differs

    #: MySQL/MariaDB index reflection does not say ASC/DESC: autogenerate compares the columns.
    autogen_reflects_index_sorting = False

    def correct_for_autogen_constraints(
        self,
        conn_unique_constraints: list[dict[str, Any]],
        conn_indexes: list[dict[str, Any]],
        metadata_unique_constraints: list[Any],
        metadata_indexes: list[Any],
        *,
        conn_foreign_keys: Sequence[dict[str, Any]] = (),
    ) -> None:
        """A UNIQUE constraint is a unique index in MySQL, reflected twice: kept once, as the
        kind the model uses (a constraint when the model has a unique constraint of that name or
        columns, else an index, as Alembic reports it). The
        indexes MySQL adds by itself for foreign keys are left out unless the model names them.
        Expression indexes are not compared (MariaDB has none; MySQL does not reflect them)."""
        meta_index_names = {str(ix.name) for ix in metadata_indexes if ix.name}
        meta_uq_names = {str(c.name) for c in metadata_unique_constraints if c.name}
        unnamed_uq_sigs = {
            tuple(col.name for col in c.columns) for c in metadata_unique_constraints if not c.name
        }
        by_name = {ix.get("name"): ix for ix in conn_indexes}
        for uq in list(conn_unique_constraints):
            index = by_name.get(uq.get("duplicates_index"))
            if index is None:
                continue
            if uq.get("name") not in meta_uq_names and (
                tuple(uq["column_names"]) not in unnamed_uq_sigs
            ):
                conn_unique_constraints.remove(uq)  # as Alembic: only in the database -> an index
            else:
                conn_indexes.remove(index)
        implicit = set()
        for fk in conn_foreign_keys:
            cols = tuple(fk["constrained_columns"])
            implicit.update({(fk.get("name"), cols), (cols[0], cols)})
        conn_indexes[:] = [
            ix for ix in conn_indexes
            if ix.get("unique")
            or ix.get("name") in meta_index_names
            or (ix.get("name"), tuple(ix.get("column_names") or ())) not in implicit
        ]
        self._skip_autogen_expression_indexes(metadata_indexes)

    def correct_for_autogen_foreignkeys(
        self, conn_fks: list[dict[str, Any]], metadata_fks: list[dict[str, Any]]
    ) -> None:
        """No ON DELETE/ON UPDATE means RESTRICT in MySQL."""
        super().correct_for_autogen_foreignkeys(conn_fks, metadata_fks)
        for options in (*conn_fks, *metadata_fks):
            for key in ("ondelete", "onupdate"):
                if options.get(key) == "RESTRICT":
                    options[key] = None

    def correct_for_autogen_check_constraints(
        self,
        conn_checks: list[dict[str, Any]],
        metadata_checks: list[Any],
        *,
        conn_columns: Sequence[dict[str, Any]] = (),
    ) -> None:
        """MariaDB gives each JSON column a CHECK ``json_valid(col)`` named after the column."""
        columns = {c["name"] for c in conn_columns}
        conn_checks[:] = [
            ck for ck in conn_checks
            if not (ck.get("name") in columns and "json_valid" in (ck.get("sqltext") or "").lower())
        ]

    def autogen_alter_column_existing(self, column_info: dict[str, Any]) -> dict[str, Any]:
        """MODIFY restates the column, so an AUTO_INCREMENT column must say so."""
        return {"existing_autoincrement": True} if column_info.get("autoincrement") else {}

    def autogen_is_system_schema(self, schema: str) -> bool:
        """The server's own databases."""
        return schema in ("information_schema", "performance_schema", "mysql", "sys")


class MariaDBImpl(MySQLImpl):
    """MariaDB implementation (dialect name ``mariadb``): as MySQL, honouring ``mysql_*`` options.

    A ``mysql://`` URL pointing at a MariaDB server gets :class:`MySQLImpl` with
    ``dialect.is_mariadb`` set; both classes spell MariaDB's differences from that flag.
    """

    __dialect__ = "mariadb"

    def create_table(self, table: Table, *, if_not_exists: bool | None = None) -> None:
        """CREATE TABLE, honouring ``mysql_*`` table and index options on MariaDB."""
        _copy_mysql_options(table)
        for index in table.indexes:
            _copy_mysql_options(index)
        super().create_table(table, if_not_exists=if_not_exists)

    def create_index(self, index: Index, **kw: Any) -> None:
        """CREATE INDEX, honouring ``mysql_length``, ``mysql_prefix``, ... on MariaDB."""
        _copy_mysql_options(index)
        super().create_index(index, **kw)


def _copy_mysql_options(item: Any) -> None:
    """Give ``item`` a ``mariadb_<x>`` option for each ``mysql_<x>`` one it lacks."""
    options = item.dialect_kwargs
    for key, value in list(options.items()):
        if key.startswith("mysql_"):
            target = "mariadb_" + key[len("mysql_"):]
            # (a registered option reads as None until set, so "in" can't tell)
            if options.get(target) is None:
                options[target] = value


def _constraint_kind(const: Constraint) -> str | None:
    if isinstance(const, ForeignKeyConstraint):
        return "foreignkey"
    if isinstance(const, PrimaryKeyConstraint):
        return "primary"
    if isinstance(const, UniqueConstraint):
        return "unique"
    if isinstance(const, CheckConstraint):
        return "check"
    return None


def _is_datetime_default_change(type_: Any, server_default: Any) -> bool:
    """A DATETIME/TIMESTAMP column whose default is not being dropped (MySQL accepts
    CURRENT_TIMESTAMP and similar functional defaults only through CHANGE). As in Alembic, a
    default left alone (``server_default`` not given) counts: the column is restated by CHANGE
    with its ``existing_server_default``."""
    if type_ is None or server_default is None or isinstance(type_, type):
        return False  # a type class, not an instance, is not looked at (as in Alembic)
    return type_._type_affinity is sqltypes.DateTime


# ---------------------------------------------------------------------------------------------
# Elements


class MySQLChangeColumn(elements.AlterTable):
    """``ALTER TABLE t CHANGE old new <colspec>``: rename and/or restate a column."""

    keyword = "CHANGE"

    def __init__(
        self,
        table_name: str,
        column_name: str,
        newname: str,
        *,
        type_: Any,
        nullable: bool,
        default: Any = None,
        autoincrement: bool | None = None,
        comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        if type_ is None:
            raise CommandError(
                "MySQL CHANGE/MODIFY COLUMN operations require the existing type: pass "
                f"existing_type= to alter_column of {table_name}.{column_name}"
            )
        self.column_name = column_name
        self.newname = newname
        self.type_: TypeEngine = type_() if isinstance(type_, type) else type_
        self.nullable = nullable
        self.default = default
        self.autoincrement = autoincrement
        self.comment = comment


class MySQLModifyColumn(MySQLChangeColumn):
    """``ALTER TABLE t MODIFY c <colspec>``: restate a column under the same name."""

    keyword = "MODIFY"

    def __init__(self, table_name: str, column_name: str, **kw: Any) -> None:
        super().__init__(table_name, column_name, column_name, **kw)


class MySQLAlterDefault(elements.AlterTable):
    """``ALTER TABLE t ALTER COLUMN c SET DEFAULT x`` / ``DROP DEFAULT``."""

    def __init__(
        self, table_name: str, column_name: str, default: Any, schema: str | None = None
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.default = default


class MySQLDropConstraint(ExecutableDDLElement):
    """``ALTER TABLE t DROP <kind> [IF EXISTS] name``, the kind spelled as the database wants."""

    def __init__(self, constraint: Constraint, kind: str, if_exists: bool = False) -> None:
        self.constraint = constraint
        self.kind = kind
        self.if_exists = if_exists


# ---------------------------------------------------------------------------------------------
# Spellings


def _colspec(compiler: DDLCompiler, element: MySQLChangeColumn) -> str:
    parts = [
        elements.format_type(compiler, element.type_),
        "NULL" if element.nullable else "NOT NULL",
    ]
    if element.autoincrement:
        parts.append("AUTO_INCREMENT")
    if element.default is not None and element.default is not False:
        parts.append("DEFAULT " + elements.format_server_default(compiler, element.default))
    if element.comment:
        parts.append(
            "COMMENT "
            + compiler.sql_compiler.render_literal_value(element.comment, sqltypes.String())
        )
    return " ".join(parts)


@compiles(MySQLChangeColumn, "mysql", "mariadb")
def _change_column(element: MySQLChangeColumn, compiler: DDLCompiler, **kw: Any) -> str:
    names = elements.format_column_name(compiler, element.column_name)
    if element.keyword == "CHANGE":
        names += " " + elements.format_column_name(compiler, element.newname)
    table = elements.alter_table(compiler, element.table_name, element.schema)
    return f"{table} {element.keyword} {names} {_colspec(compiler, element)}"


@compiles(MySQLAlterDefault, "mysql", "mariadb")
def _alter_default(element: MySQLAlterDefault, compiler: DDLCompiler, **kw: Any) -> str:
    return "{} {} {}".format(
        elements.alter_table(compiler, element.table_name, element.schema),
        elements.alter_column_clause(compiler, element.column_name),
        "SET DEFAULT " + elements.format_server_default(compiler, element.default)
        if element.default is not None
        else "DROP DEFAULT",
    )


@compiles(MySQLDropConstraint, "mysql", "mariadb")
def _drop_constraint(element: MySQLDropConstraint, compiler: DDLCompiler, **kw: Any) -> str:
    const = element.constraint
    table = compiler.preparer.format_table(const.table)  # type: ignore[attr-defined]
    if element.kind == "primary":
        return f"ALTER TABLE {table} DROP PRIMARY KEY"
    if element.kind == "check":
        keyword = "CONSTRAINT" if compiler.dialect.is_mariadb else "CHECK"  # type: ignore[attr-defined]
    else:
        keyword = _DROP_KEYWORDS[element.kind]
    if_exists = "IF EXISTS " if element.if_exists else ""
    return f"ALTER TABLE {table} DROP {keyword} {if_exists}{compiler.preparer.format_constraint(const)}"


@compiles(elements.AddColumn, "mysql", "mariadb")
def _add_column(element: elements.AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    # MySQL's column definition takes a bare REFERENCES (no CONSTRAINT name before it)
    clause = elements.add_column_clause(
        compiler,
        element.column,
        if_not_exists=element.if_not_exists,
        inline_references=element.inline_references,
        inline_primary_key=element.inline_primary_key,
        named_references=False,
    )
    return f"{elements.alter_table(compiler, element.table_name, element.schema)} {clause}"


@compiles(elements.ColumnNullable, "mysql", "mariadb")
@compiles(elements.ColumnType, "mysql", "mariadb")
@compiles(elements.ColumnName, "mysql", "mariadb")
@compiles(elements.ColumnDefault, "mysql", "mariadb")
@compiles(elements.ColumnComment, "mysql", "mariadb")
def _single_aspect_alter(element: elements.AlterColumn, compiler: DDLCompiler, **kw: Any) -> str:
    raise NotImplementedError(
        f"MySQL can't alter one aspect of column {element.table_name}.{element.column_name}; "
        "use alter_column, which restates the column with CHANGE/MODIFY"
    )


__all__ = [
    "MariaDBImpl",
    "MySQLAlterDefault",
    "MySQLChangeColumn",
    "MySQLDropConstraint",
    "MySQLImpl",
]
