"""What a SQL statement does, read from its text: the kind of change, the table, the options.

Raw SQL in a migration (``op.execute("CREATE INDEX ...")``, ``sa.text(...)``) and the statements
that ``plan`` compiles are classified here into :class:`SqlStatement` entries, one per action (an
``ALTER TABLE`` with three comma-separated actions gives three). The kinds are one vocabulary
shared with the lock tables of :mod:`dbshift.ddl.postgresql_locks` and the algorithm table of
:mod:`dbshift.ddl.mysql_alter_algorithm`. The reader knows PostgreSQL's and MySQL/MariaDB's
spellings of the common DDL; anything else is kind ``"unknown"`` (or ``"other"`` for statements
that are recognised and change no table, such as ``GRANT`` or ``CREATE FUNCTION``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from .sql_reader import Reader, Token, names_in, split_statements, tokens

__all__ = ["SqlStatement", "classify_sql", "split_statements"]

#: Every kind :func:`classify_sql` gives.
KINDS = frozenset(
    {
        "create_table", "drop_table", "rename_table", "truncate",
        "add_column", "drop_column", "alter_column_type", "modify_column", "set_not_null",
        "drop_not_null", "set_default", "drop_default", "rename_column", "set_statistics",
        "create_index", "create_index_concurrently", "drop_index", "drop_index_concurrently",
        "rename_index", "reindex", "reindex_concurrently",
        "add_foreign_key", "add_foreign_key_not_valid", "add_check", "add_check_not_valid",
        "add_unique", "add_unique_using_index", "add_primary_key", "add_primary_key_using_index",
        "add_exclude", "validate_constraint", "drop_constraint", "drop_primary_key",
        "rename_constraint",
        "set_storage", "set_logged", "alter_table_other", "attach_partition",
        "detach_partition", "detach_partition_concurrently", "enable_trigger",
        "create_type", "drop_type", "alter_type_add_value", "alter_type_other",
        "create_view", "drop_view", "refresh_view", "refresh_view_concurrently",
        "comment", "insert", "update", "delete", "select", "lock_table", "set", "transaction",
        "other", "unknown",
    }
)


@dataclass
class SqlStatement:
    """One action of one SQL statement.

    ``table``/``schema`` name the table it changes (for ``drop_index`` of PostgreSQL, which names
    no table, ``None``); ``name`` is the index, constraint, column or type it is about;
    ``new_name`` the target of a rename; ``options`` flags such as ``"concurrently"``,
    ``"not_valid"``, ``"unique"``, ``"not_null"``, ``"if_exists"``; ``detail`` the rest
    (``"type"``, ``"default"``, ``"referent"``, ``"setting"``/``"value"`` of a ``SET``).
    """

    kind: str
    sql: str
    table: str | None = None
    schema: str | None = None
    name: str | None = None
    new_name: str | None = None
    columns: tuple[str, ...] = ()
    options: frozenset[str] = frozenset()
    detail: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------------------ entry


def classify_sql(sql: str) -> list[SqlStatement]:
    """Every action of every statement in ``sql`` (see :class:`SqlStatement`)."""
    found: list[SqlStatement] = []
    for statement in split_statements(sql):
        found.extend(_classify_one(statement))
    return found


def _classify_one(sql: str) -> list[SqlStatement]:
    reader = Reader(sql, tokens(sql))
    first = reader.peek()
    handler = _BY_FIRST_WORD.get(first)
    if handler is None:
        return [SqlStatement("unknown", sql)]
    try:
        return list(handler(reader)) or [SqlStatement("unknown", sql)]
    except IndexError:  # pragma: no cover - a truncated statement
        return [SqlStatement("unknown", sql)]


def _create(r: Reader) -> Iterator[SqlStatement]:
    r.accept("create")
    r.accept("or", "replace")
    unique = r.accept("unique")
    r.accept_any("fulltext", "spatial")
    if r.accept("index"):
        yield _create_index(r, unique)
        return
    while r.accept_any("temporary", "temp", "unlogged", "global", "local"):
        pass
    if r.accept("table"):
        r.accept("if", "not", "exists")
        schema, name = r.qualified_name()
        yield SqlStatement("create_table", r.sql, table=name, schema=schema)
        return
    if r.accept("materialized", "view") or r.accept("view"):
        schema, name = r.qualified_name()
        yield SqlStatement("create_view", r.sql, name=name, schema=schema)
        return
    if r.accept("type"):
        schema, name = r.qualified_name()
        yield SqlStatement("create_type", r.sql, name=name, schema=schema)
        return
    if r.accept_any(
        "sequence", "function", "procedure", "trigger", "extension", "schema", "domain",
        "role", "user", "policy", "rule", "aggregate", "collation", "publication",
        "subscription", "database", "tablespace", "event", "cast", "operator", "language",
        "statistics", "text", "server", "foreign", "conversion", "constraint", "definer",
        "algorithm", "sql",
    ):
        yield SqlStatement("other", r.sql)


def _create_index(r: Reader, unique: bool) -> SqlStatement:
    options = {"unique"} if unique else set()
    if r.accept("concurrently"):
        options.add("concurrently")
    if r.accept("if", "not", "exists"):
        options.add("if_not_exists")
    name = None
    if r.peek() != "on":
        name = r.name()
    r.accept("on")
    r.accept("only")
    schema, table = r.qualified_name()
    if r.accept("using"):
        r.name()
    columns = names_in(r.group())
    kind = "create_index_concurrently" if "concurrently" in options else "create_index"
    return SqlStatement(
        kind, r.sql, table=table, schema=schema, name=name, columns=columns,
        options=frozenset(options),
    )


def _drop(r: Reader) -> Iterator[SqlStatement]:
    r.accept("drop")
    if r.accept("index"):
        options = set()
        if r.accept("concurrently"):
            options.add("concurrently")
        if r.accept("if", "exists"):
            options.add("if_exists")
        schema, name = r.qualified_name()
        table = table_schema = None
        if r.accept("on"):  # MySQL: DROP INDEX name ON table
            table_schema, table = r.qualified_name()
        kind = "drop_index_concurrently" if "concurrently" in options else "drop_index"
        yield SqlStatement(
            kind, r.sql, table=table, schema=table_schema or schema, name=name,
            options=frozenset(options),
        )
        return
    if r.accept("table"):
        options = {"if_exists"} if r.accept("if", "exists") else set()
        while True:
            schema, name = r.qualified_name()
            if name is None:
                break
            yield SqlStatement(
                "drop_table", r.sql, table=name, schema=schema, options=frozenset(options)
            )
            if not r.accept(","):
                break
        return
    if r.accept("materialized", "view") or r.accept("view"):
        r.accept("if", "exists")
        schema, name = r.qualified_name()
        yield SqlStatement("drop_view", r.sql, name=name, schema=schema)
        return
    if r.accept("type"):
        r.accept("if", "exists")
        schema, name = r.qualified_name()
        yield SqlStatement("drop_type", r.sql, name=name, schema=schema)
        return
    if r.accept_any(
        "sequence", "function", "procedure", "trigger", "extension", "schema", "domain",
        "role", "user", "policy", "rule", "aggregate", "collation", "publication",
        "subscription", "database", "tablespace", "event", "cast", "operator", "language",
        "statistics", "text", "server", "foreign", "conversion", "owned",
    ):
        yield SqlStatement("other", r.sql)


def _alter(r: Reader) -> Iterator[SqlStatement]:
    r.accept("alter")
    r.accept("online")  # old MySQL
    r.accept("ignore")
    if r.accept("table"):
        yield from _alter_table(r)
        return
    if r.accept("index"):
        r.accept("if", "exists")
        schema, name = r.qualified_name()
        if r.accept("rename", "to"):
            yield SqlStatement(
                "rename_index", r.sql, name=name, schema=schema, new_name=r.name()
            )
        else:
            yield SqlStatement("other", r.sql, name=name, schema=schema)
        return
    if r.accept("type"):
        schema, name = r.qualified_name()
        if r.accept("add", "value"):
            r.accept("if", "not", "exists")
            token = r.tokens[r.pos] if not r.at_end() else None
            value = token.text.strip("'") if token is not None else ""
            yield SqlStatement(
                "alter_type_add_value", r.sql, name=name, schema=schema, detail={"value": value}
            )
        else:
            yield SqlStatement("alter_type_other", r.sql, name=name, schema=schema)
        return
    if r.accept_any(
        "sequence", "function", "procedure", "trigger", "extension", "schema", "domain",
        "role", "user", "policy", "database", "default", "view", "materialized", "publication",
        "subscription", "tablespace", "event", "aggregate", "collation", "operator",
        "statistics", "text", "server", "foreign", "language", "system",
    ):
        yield SqlStatement("other", r.sql)


def _alter_table(r: Reader) -> Iterator[SqlStatement]:
    r.accept("if", "exists")
    r.accept("only")
    schema, table = r.qualified_name()
    r.accept("*")
    while not r.at_end():
        action = Reader(r.sql, r.until_top_level_comma())
        found = _alter_action(action, schema, table)
        if found is not None:
            yield found


def _alter_action(a: Reader, schema: str | None, table: str | None) -> SqlStatement | None:
    sql = a.sql
    base = {"table": table, "schema": schema}
    if a.accept("add"):
        return _add_action(a, sql, base)
    if a.accept("drop"):
        return _drop_action(a, sql, base)
    if a.accept("alter") or a.accept("modify") or a.accept("change"):
        verb = a.tokens[a.pos - 1].word
        if verb == "alter" and a.accept("constraint"):
            return SqlStatement("alter_table_other", sql, name=a.name(), **base)
        a.accept("column")
        column = a.name()
        if verb == "modify":
            return SqlStatement(
                "modify_column", sql, name=column, detail={"type": a.rest_text()}, **base
            )
        if verb == "change":
            new = a.name()
            kind = "modify_column" if new == column else "rename_column"
            return SqlStatement(
                kind, sql, name=column, new_name=new, detail={"type": a.rest_text()}, **base
            )
        return _alter_column_action(a, sql, column, base)
    if a.accept("validate", "constraint"):
        return SqlStatement("validate_constraint", sql, name=a.name(), **base)
    if a.accept("rename"):
        if a.accept("constraint"):
            old = a.name()
            a.accept("to")
            return SqlStatement("rename_constraint", sql, name=old, new_name=a.name(), **base)
        if a.accept_any("index", "key"):
            old = a.name()
            a.accept("to")
            return SqlStatement("rename_index", sql, name=old, new_name=a.name(), **base)
        if a.accept("column") or a.peek(1) == "to":
            old = a.name()
            a.accept("to")
            return SqlStatement("rename_column", sql, name=old, new_name=a.name(), **base)
        a.accept_any("to", "as")
        _, new = a.qualified_name()
        return SqlStatement("rename_table", sql, new_name=new, **base)
    if a.accept("set", "logged") or a.accept("set", "unlogged"):
        return SqlStatement("set_logged", sql, **base)
    if a.accept("set", "schema") or a.accept("owner", "to"):
        return SqlStatement("alter_table_other", sql, **base)
    if a.accept("set") or a.accept("reset"):
        return SqlStatement("set_storage", sql, **base)
    if a.accept_any("enable", "disable"):
        if a.peek() in ("trigger", "replica", "always"):
            return SqlStatement("enable_trigger", sql, **base)
        return SqlStatement("alter_table_other", sql, **base)
    if a.accept("attach", "partition"):
        return SqlStatement("attach_partition", sql, **base)
    if a.accept("detach", "partition"):
        a.qualified_name()
        kind = "detach_partition_concurrently" if a.accept("concurrently") else "detach_partition"
        return SqlStatement(kind, sql, **base)
    if a.accept_any("algorithm", "lock"):  # MySQL: how to run the ALTER, not an action
        return None
    if a.accept_any("engine", "auto_increment", "comment", "convert", "character", "charset",
                    "default", "row_format", "force"):
        return SqlStatement("alter_table_other", sql, **base)
    return SqlStatement("unknown", sql, **base)


def _alter_column_action(
    a: Reader, sql: str, column: str | None, base: dict[str, str | None]
) -> SqlStatement:
    if a.accept("type") or a.accept("set", "data", "type"):
        rest = a.tokens[a.pos :]
        using_at = next(
            (i for i, t in enumerate(rest) if t.word == "using"), None
        )
        type_tokens = rest if using_at is None else rest[:using_at]
        options = {"using"} if using_at is not None else set()
        return SqlStatement(
            "alter_column_type", sql, name=column, options=frozenset(options),
            detail={"type": a.rest_text(type_tokens)}, **base,
        )
    if a.accept("set", "not", "null"):
        return SqlStatement("set_not_null", sql, name=column, **base)
    if a.accept("drop", "not", "null"):
        return SqlStatement("drop_not_null", sql, name=column, **base)
    if a.accept("set", "default"):
        return SqlStatement(
            "set_default", sql, name=column, detail={"default": a.rest_text()}, **base
        )
    if a.accept("drop", "default"):
        return SqlStatement("drop_default", sql, name=column, **base)
    if a.accept("set", "statistics"):
        return SqlStatement("set_statistics", sql, name=column, **base)
    if a.accept("set") or a.accept("reset"):
        return SqlStatement("set_storage", sql, name=column, **base)
    return SqlStatement("alter_table_other", sql, name=column, **base)


def _add_action(a: Reader, sql: str, base: dict[str, str | None]) -> SqlStatement:
    constraint_name = None
    if a.accept("constraint"):
        if a.peek() not in ("foreign", "check", "unique", "primary", "exclude"):
            constraint_name = a.name()
    not_valid = any(
        t.word == "not" and i + 1 < len(a.tokens) and a.tokens[i + 1].word == "valid"
        for i, t in enumerate(a.tokens)
    )
    if a.accept("foreign", "key"):
        columns = names_in(a.group())
        a.accept("references")
        ref_schema, referent = a.qualified_name()
        ref_columns = names_in(a.group())
        kind = "add_foreign_key_not_valid" if not_valid else "add_foreign_key"
        detail = {"referent": referent or ""}
        if ref_schema:
            detail["referent_schema"] = ref_schema
        if ref_columns:
            detail["referent_columns"] = ",".join(ref_columns)
        return SqlStatement(
            kind, sql, name=constraint_name, columns=columns, detail=detail, **base
        )
    if a.accept("check"):
        condition = a.rest_text(a.group())
        kind = "add_check_not_valid" if not_valid else "add_check"
        return SqlStatement(
            kind, sql, name=constraint_name, detail={"condition": condition}, **base
        )
    if a.accept("primary", "key"):
        if a.accept("using", "index"):
            return SqlStatement(
                "add_primary_key_using_index", sql, name=constraint_name,
                detail={"index": a.name() or ""}, **base,
            )
        return SqlStatement(
            "add_primary_key", sql, name=constraint_name, columns=names_in(a.group()), **base
        )
    if a.accept("unique"):
        a.accept_any("index", "key")
        if a.accept("using", "index"):
            return SqlStatement(
                "add_unique_using_index", sql, name=constraint_name,
                detail={"index": a.name() or ""}, **base,
            )
        if a.peek_text() != "(":
            index_name = a.name()
            constraint_name = constraint_name or index_name
        return SqlStatement(
            "add_unique", sql, name=constraint_name, columns=names_in(a.group()), **base
        )
    if a.accept("exclude"):
        return SqlStatement("add_exclude", sql, name=constraint_name, **base)
    if a.accept_any("index", "key", "fulltext", "spatial"):
        a.accept_any("index", "key")
        name = a.name() if a.peek_text() != "(" else None
        return SqlStatement(
            "create_index", sql, name=name, columns=names_in(a.group()), **base
        )
    a.accept("column")
    if_not_exists = a.accept("if", "not", "exists")
    column = a.name()
    rest = a.tokens[a.pos :]
    words = [t.word for t in rest]
    options = set()
    detail = {"type": a.rest_text(_until_keyword(rest, _COLUMN_CLAUSE_WORDS))}
    for i, word in enumerate(words):
        if word == "not" and i + 1 < len(words) and words[i + 1] == "null":
            options.add("not_null")
        elif word == "default":
            default_tokens = _until_keyword(rest[i + 1 :], _COLUMN_CLAUSE_WORDS - {"default"})
            detail["default"] = a.rest_text(default_tokens)
        elif word == "generated" or word == "identity" or word == "auto_increment":
            options.add("generated")
            if word == "generated" and "stored" in words[i:]:
                options.add("stored")
        elif word == "references":
            options.add("references")
            detail["referent"] = rest[i + 1].ident if i + 1 < len(rest) else ""
        elif word == "primary":
            options.add("primary_key")
        elif word == "unique":
            options.add("unique")
        elif word == "serial" or word == "bigserial" or word == "smallserial":
            options.add("generated")
    if if_not_exists:
        options.add("if_not_exists")
    return SqlStatement(
        "add_column", sql, name=column, options=frozenset(options), detail=detail, **base
    )


_COLUMN_CLAUSE_WORDS = frozenset(
    {"not", "null", "default", "constraint", "references", "primary", "unique", "check",
     "generated", "collate", "comment", "auto_increment", "first", "after", "identity"}
)


def _until_keyword(tokens: Sequence[Token], words: frozenset[str]) -> list[Token]:
    depth = 0
    for i, token in enumerate(tokens):
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            depth -= 1
        elif depth == 0 and token.word in words:
            return list(tokens[:i])
    return list(tokens)


def _drop_action(a: Reader, sql: str, base: dict[str, str | None]) -> SqlStatement:
    if a.accept("constraint") or a.accept("check"):
        a.accept("if", "exists")
        return SqlStatement("drop_constraint", sql, name=a.name(), **base)
    if a.accept("foreign", "key"):
        return SqlStatement("drop_constraint", sql, name=a.name(), **base)
    if a.accept("primary", "key"):
        return SqlStatement("drop_primary_key", sql, **base)
    if a.accept_any("index", "key"):
        return SqlStatement("drop_index", sql, name=a.name(), **base)
    a.accept("column")
    options = {"if_exists"} if a.accept("if", "exists") else set()
    return SqlStatement(
        "drop_column", sql, name=a.name(), options=frozenset(options), **base
    )


def _rename(r: Reader) -> Iterator[SqlStatement]:
    r.accept("rename")
    if r.accept("table"):  # MySQL: RENAME TABLE a TO b[, c TO d]
        while True:
            schema, old = r.qualified_name()
            r.accept("to")
            _, new = r.qualified_name()
            yield SqlStatement("rename_table", r.sql, table=old, schema=schema, new_name=new)
            if not r.accept(","):
                break


def _truncate(r: Reader) -> Iterator[SqlStatement]:
    r.accept("truncate")
    r.accept("table")
    r.accept("only")
    schema, name = r.qualified_name()
    yield SqlStatement("truncate", r.sql, table=name, schema=schema)


def _dml(kind: str) -> Callable[[Reader], Iterator[SqlStatement]]:
    def read(r: Reader) -> Iterator[SqlStatement]:
        r.pos += 1
        if kind == "insert":
            r.accept_any("ignore", "low_priority", "delayed", "high_priority")
            r.accept("into")
        elif kind == "delete":
            r.accept_any("low_priority", "quick", "ignore")
            r.accept("from")
        else:
            r.accept_any("low_priority", "ignore")
            r.accept("only")
        schema, name = r.qualified_name()
        yield SqlStatement(kind, r.sql, table=name, schema=schema)

    return read


def _with(r: Reader) -> Iterator[SqlStatement]:
    words = {t.word for t in r.tokens}
    for kind in ("insert", "update", "delete"):
        if kind in words:
            yield SqlStatement(kind, r.sql)
            return
    yield SqlStatement("select", r.sql)


def _set(r: Reader) -> Iterator[SqlStatement]:
    r.accept("set")
    r.accept_any("session", "local", "global", "persist")
    if r.accept("transaction") or r.accept("constraints"):
        yield SqlStatement("transaction", r.sql)
        return
    while r.peek_text() == "@":
        r.pos += 1
    setting = r.name() or ""
    if r.peek_text() == "." and setting.lower() in ("session", "global", "local"):
        r.pos += 1
        setting = r.name() or ""
    r.accept_any("to", "=")
    value = r.rest_text().strip().strip("'\"")
    yield SqlStatement("set", r.sql, detail={"setting": setting.lower(), "value": value})


def _comment(r: Reader) -> Iterator[SqlStatement]:
    r.accept("comment")
    r.accept("on")
    r.accept("column")
    r.accept("table")
    schema, name = r.qualified_name()
    yield SqlStatement("comment", r.sql, table=name, schema=schema)


def _refresh(r: Reader) -> Iterator[SqlStatement]:
    r.accept("refresh", "materialized", "view")
    kind = "refresh_view_concurrently" if r.accept("concurrently") else "refresh_view"
    schema, name = r.qualified_name()
    yield SqlStatement(kind, r.sql, name=name, schema=schema)


def _reindex(r: Reader) -> Iterator[SqlStatement]:
    r.accept("reindex")
    if r.peek_text() == "(":
        r.group()
    r.accept_any("index", "table", "schema", "database", "system")
    kind = "reindex_concurrently" if r.accept("concurrently") else "reindex"
    schema, name = r.qualified_name()
    yield SqlStatement(kind, r.sql, name=name, schema=schema)


def _lock(r: Reader) -> Iterator[SqlStatement]:
    r.accept("lock")
    r.accept_any("table", "tables")
    schema, name = r.qualified_name()
    yield SqlStatement("lock_table", r.sql, table=name, schema=schema)


def _simple(kind: str) -> Callable[[Reader], Iterator[SqlStatement]]:
    def read(r: Reader) -> Iterator[SqlStatement]:
        yield SqlStatement(kind, r.sql)

    return read


_BY_FIRST_WORD = {
    "create": _create,
    "drop": _drop,
    "alter": _alter,
    "rename": _rename,
    "truncate": _truncate,
    "insert": _dml("insert"),
    "replace": _dml("insert"),
    "update": _dml("update"),
    "delete": _dml("delete"),
    "with": _with,
    "select": _simple("select"),
    "set": _set,
    "reset": _simple("set"),
    "comment": _comment,
    "refresh": _refresh,
    "reindex": _reindex,
    "lock": _lock,
    "begin": _simple("transaction"),
    "commit": _simple("transaction"),
    "end": _simple("transaction"),
    "rollback": _simple("transaction"),
    "start": _simple("transaction"),
    "savepoint": _simple("transaction"),
    "release": _simple("transaction"),
    "grant": _simple("other"),
    "revoke": _simple("other"),
    "analyze": _simple("other"),
    "analyse": _simple("other"),
    "vacuum": _simple("other"),
    "pragma": _simple("other"),
    "notify": _simple("other"),
    "call": _simple("unknown"),
    "do": _simple("unknown"),
}
