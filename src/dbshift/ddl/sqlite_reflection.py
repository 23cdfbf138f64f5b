"""SQLite reflection in bulk: every table of a schema in five queries instead of ~12 per table.

SQLAlchemy's SQLite dialect reflects one table at a time, each kind with its own ``PRAGMA`` and
``SELECT sql FROM sqlite_master``. Here the same pragmas run as table-valued functions joined with
``sqlite_master`` over all tables at once (``pragma_table_xinfo``, ``pragma_foreign_key_list``,
``pragma_index_list``, ``pragma_index_xinfo``), and SQLAlchemy's own parsing then reads those rows
from memory: the result is the data ``Inspector.get_multi_*`` would return, shaped the same way.

SQLAlchemy reaches the database through two of its dialect's methods (``_get_table_sql`` and
``_get_table_pragma``); :class:`_PrefetchedDialect` answers those from the prefetched rows and
leaves everything else to the real dialect. Should SQLAlchemy rename them, :func:`reflect_bulk`
returns None and autogenerate falls back to the inspector.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects.sqlite.base import SQLiteDialect

from .sqlite_sql import quote as _quote

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: The per-table pragmas whose rows are prefetched, by the name SQLAlchemy asks for.
_PRAGMA_COLUMNS = {
    "table_xinfo": "p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden",
    "foreign_key_list": (
        "p.id, p.seq, p.\"table\", p.\"from\", p.\"to\", p.on_update, p.on_delete, p.\"match\""
    ),
    "index_list": "p.seq, p.name, p.\"unique\", p.origin, p.partial",
}
_ORDER = {"table_xinfo": "p.cid", "foreign_key_list": "p.id, p.seq", "index_list": "p.seq"}
_SUPPORTED = all(
    hasattr(SQLiteDialect, name)
    for name in ("_get_table_sql", "_get_table_pragma", "get_columns", "get_indexes")
)


class _PrefetchedDialect:
    """Stands in for the SQLite dialect while SQLAlchemy's reflection methods run: pragma rows and
    table SQL come from memory; anything not prefetched goes to the real dialect."""

    def __init__(self, dialect: SQLiteDialect, schema: str | None) -> None:
        self._dialect = dialect
        self._schema = schema
        self.table_sql: dict[str, str | None] = {}
        self.pragmas: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dialect, name)

    def _get_table_sql(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> Any:
        if schema == self._schema and table_name in self.table_sql:
            return self.table_sql[table_name]
        return self._dialect._get_table_sql(connection, table_name, schema=schema)

    def _get_table_pragma(
        self, connection: Any, pragma: str, table_name: str, schema: str | None = None
    ) -> list[Any]:
        rows = self.pragmas.get((pragma, table_name)) if schema == self._schema else None
        if rows is not None:
            return rows
        return self._dialect._get_table_pragma(connection, pragma, table_name, schema=schema)

    def _call(self, method: str, connection: Any, table_name: str, schema: str | None, **kw: Any) -> Any:
        key = (method, table_name, schema, tuple(sorted(kw.items())))
        if key not in self._memo:
            fn = getattr(SQLiteDialect, method)
            self._memo[key] = fn(self, connection, table_name, schema, **kw)
        return self._memo[key]

    def get_columns(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> Any:
        return self._call("get_columns", connection, table_name, schema)

    def get_pk_constraint(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> Any:
        return self._call("get_pk_constraint", connection, table_name, schema)

    def get_foreign_keys(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> Any:
        return self._call("get_foreign_keys", connection, table_name, schema)

    def get_indexes(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> Any:
        auto = bool(kw.get("include_auto_indexes", False))
        return self._call("get_indexes", connection, table_name, schema, include_auto_indexes=auto)

    def get_unique_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        return self._call("get_unique_constraints", connection, table_name, schema)

    def get_check_constraints(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        return self._call("get_check_constraints", connection, table_name, schema)


def _prefetch(
    connection: Connection, proxy: _PrefetchedDialect, schema: str | None, names: list[str]
) -> None:
    prefix = f"{_quote(schema)}." if schema else "main."
    arg = f", {_quote(schema)}" if schema else ", 'main'"
    wanted = set(names)
    tables = (
        f"SELECT name, sql FROM {prefix}sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"
    )
    for name, sql in connection.exec_driver_sql(tables):
        if name in wanted:
            proxy.table_sql[name] = sql
            for pragma in _PRAGMA_COLUMNS:
                proxy.pragmas[(pragma, name)] = []
    for pragma, columns in _PRAGMA_COLUMNS.items():
        query = (
            f"SELECT m.name, {columns} FROM {prefix}sqlite_master AS m "
            f"JOIN pragma_{pragma}(m.name{arg}) AS p "
            f"WHERE m.type = 'table' ORDER BY m.name, {_ORDER[pragma]}"
        )
        for row in connection.exec_driver_sql(query):
            rows = proxy.pragmas.get((pragma, row[0]))
            if rows is not None:
                rows.append(tuple(row[1:]))
    # index_info keys are the index's key columns, which pragma_index_xinfo flags with key = 1
    query = (
        f"SELECT m.name, il.name, x.seqno, x.cid, x.name FROM {prefix}sqlite_master AS m "
        f"JOIN pragma_index_list(m.name{arg}) AS il "
        f"JOIN pragma_index_xinfo(il.name{arg}) AS x "
        "WHERE m.type = 'table' AND x.key = 1 ORDER BY m.name, il.name, x.seqno"
    )
    for table, index, *info in connection.exec_driver_sql(query):
        if table in wanted:
            proxy.pragmas.setdefault(("index_info", index), []).append(tuple(info))


def reflect_bulk(
    connection: Connection, schema: str | None, table_names: list[str] | None
) -> dict[str, Any] | None:
    """Columns, primary keys, foreign keys, indexes, unique and CHECK constraints of
    ``table_names`` (None: every table) of ``schema``, as ``Inspector.get_multi_*`` returns them:
    ``{"columns": {(schema, name): [...]}, "pk": ..., "foreign_keys": ..., "indexes": ...,
    "uniques": ..., "checks": ...}``. None when this SQLAlchemy cannot be served this way.
    """
    dialect = connection.dialect
    if not _SUPPORTED or not isinstance(dialect, SQLiteDialect) or dialect.server_version_info < (3, 31):
        return None
    if table_names is None:
        table_names = list(dialect.get_table_names(connection, schema=schema))
    proxy = _PrefetchedDialect(dialect, schema)
    _prefetch(connection, proxy, schema, table_names)
    out: dict[str, dict[tuple[str | None, str], Any]] = {
        "columns": {}, "pk": {}, "foreign_keys": {}, "indexes": {}, "uniques": {}, "checks": {},
    }
    methods = {
        "columns": "get_columns",
        "pk": "get_pk_constraint",
        "foreign_keys": "get_foreign_keys",
        "indexes": "get_indexes",
        "uniques": "get_unique_constraints",
        "checks": "get_check_constraints",
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection")
        for name in table_names:
            if name not in proxy.table_sql:
                continue
            key = (schema, name)
            for kind, method in methods.items():
                out[kind][key] = getattr(proxy, method)(connection, name, schema)
    return out
