"""Server defaults as SQL text, reduced to what autogenerate compares.

A reflected default and the one the model renders rarely read the same (``'0'`` or ``0`` or
``((0))``, ``now()`` or ``CURRENT_TIMESTAMP``); :func:`comparable_server_default` gives both one
comparable form. :meth:`~dbshift.ddl.impl.DefaultImpl.normalize_server_default` uses it, and
dialects strip their own decorations (PostgreSQL's casts) first.
"""

from __future__ import annotations

from typing import Any

_BOOLEAN_DEFAULTS = {"true": 1.0, "false": 0.0}
_NILADIC_DEFAULTS = {
    "now()": "current_timestamp",
    "current_timestamp()": "current_timestamp",
    "localtimestamp()": "localtimestamp",
    "current_date()": "current_date",
}


def comparable_server_default(sql: str) -> tuple[str, Any]:
    """A comparable form of a server default's SQL text: ``("num", float)``, ``("str", value)``
    or ``("expr", normalised text)``.

    Wrapping parentheses, quoting of literals, case and spacing, ``true``/``false`` and the common
    spellings of the current timestamp/date do not count as differences.
    """
    sql = strip_wrapping_parens(sql)
    if len(sql) >= 2 and sql[0] == sql[-1] == "'" and "'" not in sql[1:-1].replace("''", ""):
        value = sql[1:-1].replace("''", "'")
        try:
            return ("num", float(value))
        except ValueError:
            return ("str", value)
    try:
        return ("num", float(sql))
    except ValueError:
        pass
    lowered = " ".join(sql.lower().split())
    if lowered in _BOOLEAN_DEFAULTS:
        return ("num", _BOOLEAN_DEFAULTS[lowered])
    lowered = _NILADIC_DEFAULTS.get(lowered, lowered)
    return ("expr", lowered.replace("`", "").replace('"', ""))


def strip_wrapping_parens(sql: str) -> str:
    """``sql`` without the balanced parentheses that wrap all of it (``((0))`` -> ``0``)."""
    sql = sql.strip()
    while sql.startswith("(") and sql.endswith(")"):
        depth = 0
        for pos, char in enumerate(sql):
            depth += char == "("
            depth -= char == ")"
            if depth == 0 and pos != len(sql) - 1:
                return sql
        sql = sql[1:-1].strip()
    return sql
