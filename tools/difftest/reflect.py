"""Reflect a database into plain, normalised JSON (runs standalone in either virtualenv).

Usage: ``python reflect.py URL [VERSION_TABLE]``. Prints one JSON object on stdout::

    {"dialect": ..., "tables": {name: {...}}, "enums": [...], "sequences": [...],
     "raw_ddl": {...} (SQLite only), "version_table": name, "versions": [...] or null}

Only SQLAlchemy is needed, so the same file describes a database migrated by Alembic (in its own
virtualenv) and one migrated by dbshift; the two outputs compare with ``==``.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import sqlalchemy as sa


def _norm_sql(text: Any) -> Any:
    if text is None:
        return None
    return " ".join(str(text).split())


_CONSTRAINT_STARTS = ("PRIMARY KEY", "UNIQUE", "FOREIGN KEY", "CHECK", "CONSTRAINT")


def _split_top_level(body: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    quote = ""
    current: list[str] = []
    for ch in body:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`[":
            quote = "]" if ch == "[" else ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return parts


def normalise_create_table(sql: str) -> str:
    """``CREATE TABLE`` text with its table-level constraints sorted (columns keep their order).

    Alembic's batch mode copies constraints out of a set, so their order in the rebuilt table's
    DDL changes from run to run; the order carries no meaning in SQLite.
    """
    sql = " ".join(sql.split())
    start, end = sql.find("("), sql.rfind(")")
    if not sql.upper().startswith("CREATE TABLE") or start < 0 or end < start:
        return sql
    parts = _split_top_level(sql[start + 1 : end])
    columns = [p for p in parts if not p.upper().startswith(_CONSTRAINT_STARTS)]
    constraints = sorted(p for p in parts if p.upper().startswith(_CONSTRAINT_STARTS))
    return f"{sql[:start].rstrip()} ({', '.join(columns + constraints)}){sql[end + 1:]}"


def _type_text(type_: Any, dialect: Any) -> str:
    try:
        return type_.compile(dialect=dialect)
    except Exception:  # a reflected NullType or a type the dialect can't spell
        return repr(type_)


def _column(col: dict[str, Any], dialect: Any) -> dict[str, Any]:
    out = {
        "name": col["name"],
        "type": _type_text(col["type"], dialect),
        "nullable": bool(col.get("nullable")),
        "default": _norm_sql(col.get("default")),
        "comment": col.get("comment"),
    }
    if col.get("computed"):
        out["computed"] = _norm_sql(col["computed"].get("sqltext"))
    if col.get("identity"):
        out["identity"] = {k: v for k, v in sorted(col["identity"].items()) if v is not None}
    return out


def _by_name(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda i: (str(i.get("name")), json.dumps(i, sort_keys=True, default=str)))


def _table(insp: Any, name: str, dialect: Any) -> dict[str, Any]:
    pk = insp.get_pk_constraint(name)
    fks = [
        {
            "name": fk.get("name"),
            "columns": fk["constrained_columns"],
            "referred_table": fk["referred_table"],
            "referred_columns": fk["referred_columns"],
            "options": {k: v for k, v in sorted((fk.get("options") or {}).items()) if v},
        }
        for fk in insp.get_foreign_keys(name)
    ]
    indexes = [
        {
            "name": ix.get("name"),
            "columns": ix.get("column_names"),
            "expressions": [_norm_sql(e) for e in ix.get("expressions") or []] or None,
            "unique": bool(ix.get("unique")),
            "duplicates_constraint": ix.get("duplicates_constraint"),
        }
        for ix in insp.get_indexes(name)
    ]
    uniques = [
        {"name": uq.get("name"), "columns": uq["column_names"]}
        for uq in insp.get_unique_constraints(name)
    ]
    try:
        checks = [
            {"name": ck.get("name"), "sqltext": _norm_sql(ck["sqltext"])}
            for ck in insp.get_check_constraints(name)
        ]
    except NotImplementedError:
        checks = []
    try:
        comment = insp.get_table_comment(name).get("text")
    except NotImplementedError:
        comment = None
    return {
        "columns": [_column(c, dialect) for c in insp.get_columns(name)],
        "primary_key": {"name": pk.get("name"), "columns": pk.get("constrained_columns") or []},
        "foreign_keys": _by_name(fks),
        "indexes": _by_name(indexes),
        "unique_constraints": _by_name(uniques),
        "check_constraints": _by_name(checks),
        "comment": comment,
    }


def reflect(url: str, version_table: str = "alembic_version") -> dict[str, Any]:
    """The schema and version rows of the database at ``url`` as plain data."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            dialect = conn.dialect
            # dbshift's applied history and statement journal beside the version table (README:
            # "Applied history, checksums and resume") are its deliberate addition: left out.
            own = (f"{version_table}_history", f"{version_table}_journal")
            names = sorted(n for n in insp.get_table_names() if n not in own)
            result: dict[str, Any] = {
                "dialect": dialect.name,
                "tables": {name: _table(insp, name, dialect) for name in names},
                "views": sorted(insp.get_view_names()),
                "version_table": version_table,
                "versions": None,
            }
            if dialect.name == "postgresql":
                result["enums"] = sorted(
                    (
                        {"name": e["name"], "labels": list(e["labels"]), "schema": e.get("schema")}
                        for e in insp.get_enums()
                    ),
                    key=lambda e: e["name"],
                )
                result["sequences"] = sorted(
                    n for n in insp.get_sequence_names() if not n.startswith(own)
                )
            if dialect.name == "sqlite":
                rows = conn.exec_driver_sql(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master "
                    "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
                ).fetchall()
                rows = [row for row in rows if row[2] not in own]
                result["raw_ddl"] = {
                    f"{row[0]} {row[1]}": normalise_create_table(row[3]) if row[3] else None
                    for row in rows
                }
            if version_table in names:
                rows = conn.execute(
                    sa.text(f"SELECT version_num FROM {_quote(dialect, version_table)}")
                ).fetchall()
                result["versions"] = sorted(row[0] for row in rows)
            return result
    finally:
        engine.dispose()


def _quote(dialect: Any, name: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) is None:
        raise ValueError(f"unsafe version table name {name!r}")
    return dialect.identifier_preparer.quote(name)


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        sys.stderr.write("usage: reflect.py URL [VERSION_TABLE]\n")
        return 2
    data = reflect(argv[0], *argv[1:])
    json.dump(data, sys.stdout, indent=1, sort_keys=True, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
