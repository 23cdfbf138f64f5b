"""When a PostgreSQL ALTER rewrites or scans a table, by server version.

* A type change rewrites the table and its indexes unless the new type is binary-coercible to
  the old one without a check: widening ``varchar(n)``, ``varchar`` <-> ``text``, widening
  ``numeric(p, s)`` with the same scale, widening ``varbit(n)``, ``cidr`` -> ``inet``
  (:func:`type_change`).
* ``ADD COLUMN ... DEFAULT <constant or stable expression>`` is metadata only from PostgreSQL 11;
  before, and for volatile defaults (``clock_timestamp()``, ``random()``, ``gen_random_uuid()``,
  ``nextval()``), identity and stored generated columns at every version, every row is written
  (:func:`add_column_rewrite`).
* ``SET NOT NULL`` scans the table, except from PostgreSQL 12 when a valid ``CHECK (col IS NOT
  NULL)`` already proves it (:func:`set_not_null_skips_scan_with_check`).

A server version is a tuple such as ``(15, 4)``; ``None`` means "a current release".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .type_text import TypeShape, type_shape

__all__ = [
    "FAST_DEFAULT_VERSION",
    "TypeChange",
    "add_column_rewrite",
    "default_is_volatile",
    "set_not_null_skips_scan_with_check",
    "type_change",
]

#: From this version a non-volatile ADD COLUMN default is stored in the catalog, not in rows.
FAST_DEFAULT_VERSION = (11,)
#: From this version SET NOT NULL skips its scan when a valid CHECK proves the column non-null.
NOT_NULL_FROM_CHECK_VERSION = (12,)

#: Functions whose value differs per row, so a default using one is written into every row.
VOLATILE_FUNCTIONS = frozenset(
    {
        "clock_timestamp", "timeofday", "random", "random_normal", "gen_random_uuid",
        "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4", "uuidv7",
        "nextval", "setval", "txid_current", "pg_current_xact_id",
    }
)

_FUNCTION_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


@dataclass(frozen=True)
class TypeChange:
    """Whether a column type change rewrites the table: ``rewrites`` is None when it cannot be
    told (the old type is not known); ``reason`` says why, for a message."""

    rewrites: bool | None
    reason: str


def _at_least(server_version: tuple[int, ...] | None, version: tuple[int, ...]) -> bool:
    return server_version is None or tuple(server_version) >= version


def _is_text(shape: TypeShape) -> bool:
    return shape.name == "text" or (shape.name == "varchar" and not shape.args)


def type_change(
    existing: Any, new: Any, dialect: Any = None, *, using: bool = False
) -> TypeChange:
    """Whether changing a column from ``existing`` to ``new`` (SQLAlchemy types or type text)
    rewrites the table. ``using=True`` (a ``USING`` expression) always rewrites."""
    new_shape = type_shape(new, dialect)
    if using:
        return TypeChange(True, "a USING expression converts every row")
    if existing is None:
        return TypeChange(None, "the old type is not given (existing_type)")
    old_shape = type_shape(existing, dialect)
    if old_shape is None or new_shape is None:
        return TypeChange(None, "dbshift cannot read one of the types")
    if old_shape == new_shape:
        return TypeChange(False, "the type does not change")
    if old_shape.array != new_shape.array:
        return TypeChange(True, "an array type changes")
    old, new_ = old_shape, new_shape
    if _is_text(new_) and (old.name == "varchar" or _is_text(old)):
        return TypeChange(False, "varchar to text/varchar without a length is binary-coercible")
    if old.name == new_.name == "varchar" and old.args and new_.args:
        if new_.args[0] >= old.args[0]:
            return TypeChange(False, "widening a varchar only changes the catalog")
        return TypeChange(True, "narrowing a varchar checks and rewrites every row")
    if old.name == new_.name == "numeric":
        if not new_.args:
            return TypeChange(False, "an unconstrained numeric holds every numeric value")
        if len(old.args) == 2 and len(new_.args) == 2:
            if new_.args[1] == old.args[1] and new_.args[0] >= old.args[0]:
                return TypeChange(False, "widening a numeric's precision keeps its scale")
    if old.name == new_.name == "varbit":
        if not new_.args or (old.args and new_.args[0] >= old.args[0]):
            return TypeChange(False, "widening a bit varying only changes the catalog")
    if (old.name, new_.name) == ("cidr", "inet"):
        return TypeChange(False, "cidr to inet is binary-coercible")
    if (old.name, new_.name) == ("timestamp", "timestamptz"):
        return TypeChange(
            True,
            "timestamp to timestamptz rewrites the table (from PostgreSQL 12 not when the "
            "session's TimeZone is UTC)",
        )
    return TypeChange(True, f"{old.name} to {new_.name} converts and rewrites every row")


def default_is_volatile(sql: str) -> bool:
    """Whether a default expression's SQL text calls a volatile function."""
    return any(name.lower() in VOLATILE_FUNCTIONS for name in _FUNCTION_CALL.findall(sql))


def add_column_rewrite(
    default_sql: str | None,
    server_version: tuple[int, ...] | None,
    *,
    generated: bool = False,
) -> str | None:
    """Why ``ADD COLUMN`` with this default rewrites the table, or None when it only changes
    the catalog. ``generated``: an identity, serial or stored generated column."""
    if generated:
        return "an identity, serial or stored generated column is computed and written for every row"
    if default_sql is None or default_sql.strip().lower() == "null":
        return None
    if default_is_volatile(default_sql):
        return f"the volatile default {default_sql} is evaluated and written for every row"
    if not _at_least(server_version, FAST_DEFAULT_VERSION):
        return "before PostgreSQL 11 any default is written into every row"
    return None


def set_not_null_skips_scan_with_check(server_version: tuple[int, ...] | None) -> bool:
    """Whether SET NOT NULL can use a valid ``CHECK (col IS NOT NULL)`` instead of scanning."""
    return _at_least(server_version, NOT_NULL_FROM_CHECK_VERSION)
