"""How MySQL and MariaDB (InnoDB) can run an ALTER: INSTANT, INPLACE or a table COPY.

The statement kinds are those of :mod:`dbshift.ddl.statement_kinds`. The answers follow the
"Online DDL operations" tables of the MySQL 8.0 manual and MariaDB's "InnoDB Online DDL" pages:
INSTANT changes only metadata; INPLACE works inside the engine and (except while it starts and
ends) lets other sessions read and write, though some INPLACE operations rebuild the table; COPY
builds a new table and blocks writes until it is done. ``lint`` reports the COPY cases, ``plan``
shows the algorithm of every ALTER.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .type_text import type_shape

__all__ = ["Algorithm", "alter_algorithm", "type_change_algorithm"]


@dataclass(frozen=True)
class Algorithm:
    """``name`` is INSTANT, INPLACE or COPY; ``rebuilds`` whether the table is rebuilt;
    ``concurrent_dml`` whether other sessions may write meanwhile; ``reason`` a short why."""

    name: str
    rebuilds: bool
    concurrent_dml: bool
    reason: str = ""


INSTANT = Algorithm("INSTANT", False, True)
INPLACE = Algorithm("INPLACE", False, True)
INPLACE_REBUILD = Algorithm("INPLACE", True, True, "rebuilds the table in place")
COPY = Algorithm("COPY", True, False, "copies the table; writes wait until it is done")


def _at_least(version: tuple[int, ...] | None, wanted: tuple[int, ...]) -> bool:
    return version is None or tuple(version) >= wanted


def alter_algorithm(
    kind: str,
    *,
    mariadb: bool = False,
    server_version: tuple[int, ...] | None = None,
    existing_type: Any = None,
    new_type: Any = None,
    dialect: Any = None,
) -> Algorithm | None:
    """The best algorithm InnoDB has for a statement of ``kind``; None for statements that are
    no ALTER of an existing table (CREATE TABLE, DML, ...). ``existing_type``/``new_type``
    describe a column type change (``alter_column_type``/``modify_column``)."""
    if kind == "add_column":
        if mariadb:
            return INSTANT if _at_least(server_version, (10, 3, 2)) else INPLACE_REBUILD
        return INSTANT if _at_least(server_version, (8, 0, 12)) else INPLACE_REBUILD
    if kind == "drop_column":
        if mariadb:
            return INSTANT if _at_least(server_version, (10, 4)) else INPLACE_REBUILD
        return INSTANT if _at_least(server_version, (8, 0, 29)) else INPLACE_REBUILD
    if kind == "rename_column":
        if mariadb or _at_least(server_version, (8, 0, 28)):
            return INSTANT
        return INPLACE
    if kind in ("alter_column_type", "modify_column"):
        return type_change_algorithm(existing_type, new_type, dialect)
    if kind in ("set_default", "drop_default", "rename_table", "rename_index"):
        return INSTANT
    if kind in ("set_not_null", "drop_not_null"):
        return INPLACE_REBUILD
    if kind in ("create_index", "drop_index", "add_unique", "drop_constraint",
                "rename_constraint", "comment"):
        return INPLACE
    if kind in ("add_foreign_key", "add_foreign_key_not_valid"):
        return Algorithm(
            "COPY", True, False,
            "adding a foreign key copies the table unless foreign_key_checks=0",
        )
    if kind in ("add_check", "add_check_not_valid"):
        return Algorithm("COPY", True, False, "adding a CHECK constraint copies the table")
    if kind == "add_primary_key":
        return INPLACE_REBUILD
    if kind == "drop_primary_key":
        return Algorithm("COPY", True, False, "dropping the primary key copies the table")
    if kind in ("alter_table_other", "set_storage"):
        return Algorithm("COPY", True, False, "dbshift does not know this ALTER; assume a copy")
    return None


def type_change_algorithm(existing: Any, new: Any, dialect: Any = None) -> Algorithm:
    """The algorithm of a column type change: INPLACE for a VARCHAR that grows within the same
    number of length bytes (both up to 255 bytes, or both over, counted as utf8mb4), INSTANT for
    ENUM/SET values appended at the end, COPY otherwise (and when the old type is unknown)."""
    old_shape = type_shape(existing, dialect)
    new_shape = type_shape(new, dialect)
    if old_shape is None or new_shape is None:
        return Algorithm("COPY", True, False, "the old type is not given; assume a copy")
    if old_shape == new_shape:
        return INPLACE_REBUILD
    if old_shape.name == new_shape.name == "varchar" and old_shape.args and new_shape.args:
        old_len, new_len = old_shape.args[0], new_shape.args[0]
        if new_len >= old_len and (old_len * 4 > 255) == (new_len * 4 > 255):
            return Algorithm("INPLACE", False, True, "the VARCHAR keeps its length bytes")
        return Algorithm("COPY", True, False, "the VARCHAR changes its length bytes")
    if old_shape.name == new_shape.name and old_shape.name in ("enum", "set"):
        old_labels, new_labels = old_shape.labels, new_shape.labels
        if new_labels[: len(old_labels)] == old_labels:
            return Algorithm("INSTANT", False, True, "values are only appended")
        return Algorithm(
            "COPY", True, False, "values are removed or reordered, so every row is converted"
        )
    return Algorithm(
        "COPY", True, False, f"{old_shape.name} to {new_shape.name} converts every row"
    )
