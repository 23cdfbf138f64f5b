"""Reading and writing SQLite's SQL text: the definitions of a stored CREATE TABLE, the
column-level clauses SQLAlchemy's reflection leaves out (constraint names, collations, generated
columns), identifier quoting, and the column affinity SQLite gives a declared type.

Pure functions, used by the SQLite implementation (:mod:`dbshift.ddl.sqlite`), its batch rebuild
(:mod:`dbshift.ddl.sqlite_rebuild`) and its bulk reflection (:mod:`dbshift.ddl.sqlite_reflection`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

__all__ = [
    "column_affinity",
    "column_collations",
    "column_constraint_names",
    "declared_affinity",
    "generated_columns",
    "generated_pattern",
    "mentions",
    "quote",
    "strip_literals",
    "table_definitions",
    "unquote",
]


def table_definitions(sql: str) -> list[str]:
    """The top-level column and constraint definitions of a CREATE TABLE statement."""
    start = sql.index("(")
    items: list[str] = []
    depth, current, i = 0, [], start + 1
    while i < len(sql):
        ch = sql[i]
        if ch in "'\"`[":
            close = "]" if ch == "[" else ch
            end = sql.index(close, i + 1)
            while close != "]" and end + 1 < len(sql) and sql[end + 1] == close:
                end = sql.index(close, end + 2)
            current.append(sql[i : end + 1])
            i = end + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        elif ch == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    items.append("".join(current).strip())
    return [item for item in items if item]


_TABLE_CONSTRAINT = r"^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)\b"
_NAME = r'("(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|\S+)'


def generated_pattern() -> re.Pattern[str]:
    """The start of a generated column's ``[GENERATED ALWAYS] AS (`` clause."""
    # compiled on first use (re caches it): most rebuilds never need it
    return re.compile(r"\b(?:GENERATED\s+ALWAYS\s+)?AS\s*\(", re.IGNORECASE)


def column_constraint_names(sql: str, keyword: str) -> list[tuple[str, str, str]]:
    """``(column, name, what follows)`` of the named column-level constraints of kind ``keyword``
    (``REFERENCES``, ``UNIQUE``) of a CREATE TABLE: ``c INTEGER CONSTRAINT fk_c REFERENCES r (id)``
    gives ``("c", "fk_c", "r")``. SQLAlchemy's SQLite reflection finds these without their name."""
    found = []
    pattern = re.compile(rf"\bCONSTRAINT\s+{_NAME}\s+{keyword}\b\s*{_NAME}?", re.IGNORECASE)
    for item in table_definitions(sql):
        if re.match(_TABLE_CONSTRAINT, item, re.IGNORECASE):
            continue
        column = unquote(re.match(r"\s*" + _NAME, item).group(1))
        for match in pattern.finditer(strip_literals(item)):
            following = unquote((match.group(2) or "").split("(")[0].strip())
            found.append((column, unquote(match.group(1)), following))
    return found


def column_collations(sql: str) -> dict[str, str]:
    """``{column: collation}`` of the column-level ``COLLATE`` clauses of a CREATE TABLE (not
    those inside a CHECK or DEFAULT expression). SQLAlchemy's SQLite reflection drops them."""
    found: dict[str, str] = {}
    for item in table_definitions(sql):
        if re.match(_TABLE_CONSTRAINT, item, re.IGNORECASE):
            continue
        masked = strip_literals(item)
        while True:  # blank out parenthesised parts: their COLLATEs belong to expressions
            shorter = re.sub(r"\([^()]*\)", "", masked)
            if shorter == masked:
                break
            masked = shorter
        match = re.search(rf"\bCOLLATE\s+{_NAME}", masked, re.IGNORECASE)
        if match is not None:
            name = unquote(re.match(r"\s*" + _NAME, item).group(1))
            found[name] = unquote(match.group(1))
    return found


def generated_columns(sql: str) -> dict[str, tuple[str, bool]]:
    """``{column: (expression, stored)}`` for the generated columns of a CREATE TABLE."""
    found: dict[str, tuple[str, bool]] = {}
    for item in table_definitions(sql):
        if re.match(_TABLE_CONSTRAINT, item, re.IGNORECASE):
            continue
        masked = strip_literals(item)
        match = generated_pattern().search(masked)
        if match is None:
            continue
        name = unquote(re.match(r"\s*" + _NAME, item).group(1))
        depth, j = 0, match.end() - 1
        for j in range(match.end() - 1, len(masked)):
            if masked[j] == "(":
                depth += 1
            elif masked[j] == ")":
                depth -= 1
                if depth == 0:
                    break
        expression = item[match.end() : j]
        stored = bool(re.match(r"\s*STORED\b", masked[j + 1 :], re.IGNORECASE))
        found[name] = (expression.strip(), stored)
    return found


def unquote(name: str) -> str:
    """An identifier as SQL text spells it (``"a""b"``, `` `a` ``, ``[a]`` or bare) made plain."""
    if name[:1] in "\"`[" and len(name) > 1:
        inner = name[1:-1]
        return inner.replace('""', '"') if name[0] == '"' else inner
    return name


def quote(name: str | None) -> str:
    """``name`` as a double-quoted SQLite identifier (embedded quotes doubled)."""
    assert name is not None
    return '"' + name.replace('"', '""') + '"'


def declared_affinity(declared: str) -> str:
    """The affinity SQLite gives a column declared with type ``declared`` (its rules, in order)."""
    declared = declared.upper()
    if "INT" in declared:
        return "INTEGER"
    if "CHAR" in declared or "CLOB" in declared or "TEXT" in declared:
        return "TEXT"
    if "BLOB" in declared or not declared.strip():
        return "BLOB"
    if "REAL" in declared or "FLOA" in declared or "DOUB" in declared:
        return "REAL"
    return "NUMERIC"


def column_affinity(type_: Any, dialect: Dialect) -> str | None:
    """SQLite's affinity for a column of SQLAlchemy type ``type_`` as ``dialect`` declares it;
    None when the type does not compile."""
    try:
        declared = str(type_.compile(dialect=dialect))
    except Exception:
        return None
    return declared_affinity(declared)


def strip_literals(sql: str) -> str:
    """``sql`` with every string literal emptied (``'a, b'`` -> ``''``), so that what is inside
    one is never read as SQL."""
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def mentions(sql: str, names: set[str]) -> bool:
    """Whether ``sql`` names one of ``names`` as an identifier (quoted or not)."""
    for token in re.findall(r'"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|([A-Za-z_][\w$]*)', strip_literals(sql)):
        word = next(t for t in token if t).replace('""', '"').lower()
        if word in names:
            return True
    return False
