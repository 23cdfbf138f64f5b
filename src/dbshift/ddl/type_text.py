"""A column type as comparable data: ``VARCHAR(20)`` -> ``TypeShape("varchar", (20,))``.

The dialect modules that decide whether a type change rewrites a table
(:mod:`dbshift.ddl.postgresql_rewrites`, :mod:`dbshift.ddl.mysql_alter_algorithm`) read both the
SQLAlchemy types of an ``alter_column`` and the type text of raw SQL through :func:`type_shape`,
which compiles a type with the given dialect and reads the text back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["TypeShape", "type_shape"]


@dataclass(frozen=True)
class TypeShape:
    """A type's family name (lower case, synonyms folded), its numeric arguments, its quoted
    labels (ENUM/SET values) and whether it is an array."""

    name: str
    args: tuple[int, ...] = ()
    labels: tuple[str, ...] = ()
    array: bool = False


_SYNONYMS = {
    "character varying": "varchar",
    "nvarchar": "varchar",
    "national character varying": "varchar",
    "varchar2": "varchar",
    "character": "char",
    "bpchar": "char",
    "nchar": "char",
    "decimal": "numeric",
    "int": "integer",
    "int4": "integer",
    "int2": "smallint",
    "int8": "bigint",
    "serial": "integer",
    "bigserial": "bigint",
    "smallserial": "smallint",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
    "bit varying": "varbit",
    "double precision": "double",
    "float8": "double",
    "float4": "real",
    "bool": "boolean",
}

_TYPE_TEXT = re.compile(
    r"^\s*(?P<name>[a-z_][a-z0-9_ ]*?)\s*(?:\((?P<args>[^)]*)\))?"
    r"(?:\s+(?P<rest>[a-z][a-z ]*?))?\s*(?P<array>(?:\[\d*\])+)?\s*$",
    re.I | re.S,
)


def type_shape(type_: Any, dialect: Any = None) -> TypeShape | None:
    """The shape of ``type_``: a SQLAlchemy type (compiled with ``dialect``) or type text.
    None when it cannot be read (no type, a type the dialect cannot compile)."""
    if type_ is None:
        return None
    if isinstance(type_, str):
        text = type_
    else:
        if isinstance(type_, type):
            type_ = type_()
        try:
            text = type_.compile(dialect=dialect) if dialect is not None else type_.compile()
        except Exception:
            return None
    return _read(text)


def _read(text: str) -> TypeShape | None:
    text = " ".join(text.replace('"', "").split())
    labels: tuple[str, ...] = ()
    lowered = text.lower()
    if lowered.startswith(("enum(", "enum (", "set(", "set (")):
        name = lowered.split("(", 1)[0].strip()
        labels = tuple(v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", text))
        return TypeShape(name, (), labels)
    match = _TYPE_TEXT.match(text)
    if match is None:
        return None
    name = match.group("name").lower().strip()
    rest = (match.group("rest") or "").lower().strip()
    if rest:
        name = f"{name} {rest}"
    name = _SYNONYMS.get(name, name)
    if name.endswith(" unsigned"):
        name = name[: -len(" unsigned")] + "_unsigned"
    args: tuple[int, ...] = ()
    if match.group("args"):
        numbers = [a.strip() for a in match.group("args").split(",")]
        if all(n.isdigit() for n in numbers):
            args = tuple(int(n) for n in numbers)
    return TypeShape(name, args, labels, bool(match.group("array")))
