"""The probe that the differential diff test runs under Alembic and under dbshift.

:data:`PROBE` is Python source run by each tool's interpreter (``from alembic import ...`` is
Alembic in ``.venv-alembic`` and dbshift through its alias in ``.venv``). It reads a JSON list of
cases on stdin, builds each case's database from its ``database`` code, builds its model from its
``model`` code, runs ``compare_metadata`` and prints every diff tuple with each field reduced to
plain data (names, column lists, types' ``repr``, defaults' text, the table an object belongs
to), so the two tools' results compare field by field. Nothing here imports Alembic.
"""

from __future__ import annotations

PROBE = r'''
import json
import sys

import sqlalchemy as sa
from sqlalchemy.sql.elements import TextClause

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def table_of(obj):
    table = getattr(obj, "table", None)
    if table is None:
        return None
    return [table.schema, table.name]


def plain(value):
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in sorted(value.items())}
    if isinstance(value, sa.Table):
        return {"Table": value.name, "schema": value.schema, "columns": [c.name for c in value.c]}
    if isinstance(value, sa.Column):
        return {
            "Column": value.name, "table": table_of(value), "type": repr(value.type),
            "nullable": value.nullable, "server_default": plain(value.server_default),
            "comment": value.comment,
        }
    if isinstance(value, sa.Index):
        return {
            "Index": None if value.name is None else str(value.name), "unique": bool(value.unique),
            "table": table_of(value), "columns": [c.name for c in value.columns],
        }
    if isinstance(value, sa.Constraint):
        return {
            type(value).__name__: None if value.name is None else str(value.name),
            "table": table_of(value), "columns": [c.name for c in value.columns],
        }
    if isinstance(value, sa.schema.DefaultClause):
        arg = value.arg
        return {"DefaultClause": arg.text if isinstance(arg, TextClause) else str(arg)}
    if isinstance(value, sa.types.TypeEngine):
        return {"type": repr(value)}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return {"repr": type(value).__name__}


def reset(conn):
    if conn.dialect.name == "postgresql":
        for schema in conn.exec_driver_sql(
            "SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' "
            "AND nspname <> 'information_schema'"
        ).scalars().all():
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        conn.exec_driver_sql("CREATE SCHEMA public")
    else:
        meta = sa.MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)


url = sys.argv[1]
out = []
for case in json.load(sys.stdin):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        reset(conn)
        for statement in case.get("sql", []):
            conn.exec_driver_sql(statement)
        scope = {"sa": sa}
        exec(case["database"], scope)
        scope["db"].create_all(conn)
    scope = {"sa": sa}
    exec(case["model"], scope)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=case.get("opts", {}))
        diffs = compare_metadata(context, scope["model"])
    out.append(plain(diffs))
    engine.dispose()
print(json.dumps(out))
'''
