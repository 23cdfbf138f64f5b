"""Raw SQL in a migration, read as the operations it stands for.

``op.execute("CREATE INDEX ix ON t (c)")`` blocks writes just like ``op.create_index``; so that
the same rules check both, :func:`statements_of` classifies the SQL of an ``ExecuteSQLOp`` (plain
strings, ``sa.text``, and any other construct compiled for the target dialect) with
:mod:`dbshift.ddl.statement_kinds`, and :func:`op_for_statement` turns each recognised statement
into the operation object a script would have written (``None`` for statements no directive
spells, such as ``SET`` or ``TRUNCATE``, which the rules read from the statement itself).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ...ddl.statement_kinds import SqlStatement, classify_sql
from ...operations import ops

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

__all__ = ["op_for_statement", "sql_text", "statements_of"]


def sql_text(sqltext: Any, dialect: Dialect) -> str | None:
    """The SQL of an ``op.execute`` argument as text; None when it cannot be compiled."""
    if isinstance(sqltext, str):
        return sqltext
    text = getattr(sqltext, "text", None)
    if isinstance(text, str) and isinstance(sqltext, sa.TextClause):
        return text
    try:
        return str(sqltext.compile(dialect=dialect))
    except Exception:
        return None


def statements_of(operation: ops.ExecuteSQLOp, dialect: Dialect) -> list[SqlStatement] | None:
    """The classified statements of an ``ExecuteSQLOp``; None when its SQL cannot be read."""
    text = sql_text(operation.sqltext, dialect)
    if text is None:
        return None
    return classify_sql(text)


def _server_default(text: str | None) -> Any:
    return sa.text(text) if text else None


def op_for_statement(statement: SqlStatement) -> ops.MigrateOperation | None:
    """The operation object that does what ``statement`` does, when there is one."""
    kind = statement.kind
    table = statement.table or ""
    schema = statement.schema
    options = statement.options
    detail = statement.detail
    builder = _BUILDERS.get(kind)
    if builder is None or (not table and kind not in _NO_TABLE_NEEDED):
        return None
    return builder(statement, table, schema, options, detail)


def _create_index(s: SqlStatement, table: str, schema: Any, options: Any, detail: Any) -> Any:
    return ops.CreateIndexOp(
        s.name, table, list(s.columns) or ["?"], schema=schema, unique="unique" in options,
        postgresql_concurrently="concurrently" in options,
    )


def _drop_index(s: SqlStatement, table: str, schema: Any, options: Any, detail: Any) -> Any:
    return ops.DropIndexOp(
        s.name, table or None, schema=schema,
        postgresql_concurrently="concurrently" in options,
    )


def _add_column(s: SqlStatement, table: str, schema: Any, options: Any, detail: Any) -> Any:
    generated: Any = None
    if "generated" in options:
        generated = sa.Computed("?", persisted=True) if "stored" in options else sa.Identity()
    args: list[Any] = [generated] if generated is not None else []
    column = sa.Column(
        s.name or "?",
        sa.types.NullType(),
        *args,
        nullable="not_null" not in options,
        server_default=_server_default(detail.get("default")),
    )
    column.info["sql_type"] = detail.get("type", "")
    return ops.AddColumnOp(table, column, schema=schema)


def _alter(**changes: Any) -> Any:
    def build(s: SqlStatement, table: str, schema: Any, options: Any, detail: Any) -> Any:
        kw = {k: (v(s) if callable(v) else v) for k, v in changes.items()}
        if "using" in options:
            kw["postgresql_using"] = "?"
        return ops.AlterColumnOp(table, s.name or "?", schema=schema, **kw)

    return build


def _foreign_key(s: SqlStatement, table: str, schema: Any, options: Any, detail: Any) -> Any:
    remote = detail.get("referent_columns", "")
    return ops.CreateForeignKeyOp(
        s.name, table, detail.get("referent", ""), list(s.columns),
        remote.split(",") if remote else [], source_schema=schema,
        referent_schema=detail.get("referent_schema"),
        postgresql_not_valid=s.kind.endswith("_not_valid"),
    )


def _check(s: SqlStatement, table: str, schema: Any, options: Any, detail: Any) -> Any:
    return ops.CreateCheckConstraintOp(
        s.name, table, detail.get("condition", ""), schema=schema,
        postgresql_not_valid=s.kind.endswith("_not_valid"),
    )


_BUILDERS: dict[str, Any] = {
    "create_index": _create_index,
    "create_index_concurrently": _create_index,
    "drop_index": _drop_index,
    "drop_index_concurrently": _drop_index,
    "add_column": _add_column,
    "drop_column": lambda s, t, sc, o, d: ops.DropColumnOp(t, s.name or "?", schema=sc),
    "alter_column_type": _alter(modify_type=lambda s: s.detail.get("type") or None),
    "modify_column": _alter(modify_type=lambda s: s.detail.get("type") or None),
    "set_not_null": _alter(modify_nullable=False),
    "drop_not_null": _alter(modify_nullable=True),
    "set_default": _alter(modify_server_default=lambda s: _server_default(s.detail.get("default"))),
    "drop_default": _alter(modify_server_default=None),
    "rename_column": _alter(modify_name=lambda s: s.new_name or "?"),
    "rename_table": lambda s, t, sc, o, d: ops.RenameTableOp(t, s.new_name or "?", schema=sc),
    "add_foreign_key": _foreign_key,
    "add_foreign_key_not_valid": _foreign_key,
    "add_check": _check,
    "add_check_not_valid": _check,
    "add_unique": lambda s, t, sc, o, d: ops.CreateUniqueConstraintOp(
        s.name, t, list(s.columns), schema=sc
    ),
    "add_primary_key": lambda s, t, sc, o, d: ops.CreatePrimaryKeyOp(
        s.name, t, list(s.columns), schema=sc
    ),
    "validate_constraint": lambda s, t, sc, o, d: ops.ValidateConstraintOp(
        s.name or "?", t, schema=sc
    ),
    "drop_constraint": lambda s, t, sc, o, d: ops.DropConstraintOp(s.name, t, schema=sc),
    "create_table": lambda s, t, sc, o, d: ops.CreateTableOp(t, [], schema=sc),
    "drop_table": lambda s, t, sc, o, d: ops.DropTableOp(t, schema=sc),
}

_NO_TABLE_NEEDED = frozenset({"drop_index", "drop_index_concurrently"})
