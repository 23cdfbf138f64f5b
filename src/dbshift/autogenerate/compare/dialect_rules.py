"""Per-dialect comparison quirks, as one small table keyed by dialect name.

These belong on the dialect implementations in ``ddl/<dialect>.py`` (``DefaultImpl``'s autogenerate
hooks); they are kept here, in one place, until those modules can take them. Each entry says how the
database reflects things that differ from how SQLAlchemy renders them, so that an unchanged schema
never shows up as a change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_CAST = re.compile(r"::\s*[\w\"\.]+(?:\s+[a-z_]+)*(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*\s*$", re.I)
_SERIAL = re.compile(r"^nextval\('(?:\"?[\w\.]+\"?\.)?\"?([\w]+)\"?'(?:::regclass)?\)$", re.I)
_NILADIC = {
    "now()": "current_timestamp",
    "current_timestamp()": "current_timestamp",
    "current_timestamp": "current_timestamp",
    "localtimestamp()": "localtimestamp",
    "current_date()": "current_date",
    "curdate()": "current_date",
}
_BOOLEANS = {"true": 1.0, "false": 0.0}


def strip_parens(text: str) -> str:
    """``text`` without balanced parentheses wrapping all of it."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for pos, char in enumerate(text):
            depth += char == "("
            depth -= char == ")"
            if depth == 0 and pos != len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def _is_quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] == text[-1] == "'" and "'" not in text[1:-1].replace("''", "")


def canonical_default(text: str, *, strip_casts: bool = False) -> tuple[str, Any]:
    """A comparable form of a server default: ``("num", float)``, ``("str", value)`` or
    ``("expr", normalised text)``."""
    text = strip_parens(text)
    if strip_casts:
        previous = None
        while previous != text:
            previous = text
            text = strip_parens(_CAST.sub("", text))
    if _is_quoted(text):
        value = text[1:-1].replace("''", "'")
        try:
            return ("num", float(value))
        except ValueError:
            return ("str", value)
    try:
        return ("num", float(text))
    except ValueError:
        pass
    lowered = " ".join(text.lower().split())
    if lowered in _BOOLEANS:
        return ("num", _BOOLEANS[lowered])
    return ("expr", _NILADIC.get(lowered, lowered).replace("`", "").replace('"', ""))


def normalise_expression(text: str) -> str:
    """An index or computed expression with case, spacing, quoting, casts and parentheses
    removed (good enough to see that two spellings are the same expression)."""
    out = text.lower()
    out = re.sub(r"\s+", "", out)
    out = out.replace('"', "").replace("`", "")
    out = re.sub(r"::[a-z_\[\]]+", "", out)
    return out.replace("(", "").replace(")", "")


@dataclass(frozen=True)
class DialectRules:
    """How one database's reflection differs from SQLAlchemy's rendering."""

    #: PostgreSQL casts (``'x'::character varying``) are stripped from reflected defaults.
    strip_default_casts: bool = False
    #: Defaults that still differ after normalising are compared by the server (``SELECT a = b``).
    server_compares_defaults: bool = False
    #: A missing ON DELETE/ON UPDATE means this action (MySQL: RESTRICT).
    fk_default_action: str | None = None
    #: Deferrable/initially are reflected and compared.
    reflects_fk_deferral: bool = False
    #: Expression indexes are reflected (else metadata expression indexes are skipped).
    reflects_expression_indexes: bool = True
    #: The database adds an index for each foreign key by itself (MySQL).
    implicit_fk_indexes: bool = False
    #: A unique constraint and a unique index are the same object (MySQL).
    unique_is_index: bool = False
    #: ENUM arguments are compared as a set (MySQL inline ENUM).
    enum_args_as_set: bool = False
    #: SERIAL columns reflect a ``nextval()`` default that is not a user default.
    serial_defaults: bool = False
    #: Named ENUM types exist on their own (PostgreSQL CREATE TYPE).
    named_enum_types: bool = False
    #: Bare string defaults are reflected without quotes (MySQL 8).
    bare_string_defaults: bool = False
    #: ALTER restates the whole column, so AUTO_INCREMENT must be passed along (MySQL).
    restates_autoincrement: bool = False

    def adjust_reflected_table(self, table: Any) -> None:
        """Fix one reflected table in place: PostgreSQL SERIAL columns lose their ``nextval()``
        default; on MySQL a unique constraint is kept once (as its unique index) and the indexes
        MySQL made by itself for foreign keys are left out."""
        if self.serial_defaults:
            for col in table.columns:
                default = col.get("default")
                if default and col.get("autoincrement"):
                    match = _SERIAL.match(default)
                    if match and match.group(1) == f"{table.name}_{col['name']}_seq":
                        col["default"] = None
        if self.unique_is_index:
            table.uniques = [uq for uq in table.uniques if not uq.get("duplicates_index")]
        if self.implicit_fk_indexes and table.foreign_keys:
            implicit = set()
            for fk in table.foreign_keys:
                cols = list(fk["constrained_columns"])
                implicit.add((fk.get("name"), tuple(cols)))
                implicit.add((cols[0], tuple(cols)))
            table.indexes = [
                ix for ix in table.indexes
                if ix.get("unique") or (ix.get("name"), tuple(ix.get("column_names") or ())) not in implicit
            ]

    def defaults_equal(self, conn_text: str, metadata_text: str) -> bool:
        """Whether two server-default texts mean the same value without asking the server."""
        conn = canonical_default(conn_text, strip_casts=self.strip_default_casts)
        meta = canonical_default(metadata_text, strip_casts=self.strip_default_casts)
        if conn == meta:
            return True
        if self.bare_string_defaults and {conn[0], meta[0]} == {"str", "expr"}:
            return str(conn[1]).lower() == str(meta[1]).lower()
        return False

    def fk_action(self, value: str | None) -> str | None:
        """ON DELETE/UPDATE normalised: upper case, the database default as ``None``."""
        value = value.upper() if value else None
        default = self.fk_default_action
        if value in (None, "NO ACTION") or value == default:
            return None
        return value


_MYSQL = DialectRules(
    fk_default_action="RESTRICT",
    reflects_expression_indexes=False,
    implicit_fk_indexes=True,
    unique_is_index=True,
    enum_args_as_set=True,
    bare_string_defaults=True,
    restates_autoincrement=True,
)

RULES: dict[str, DialectRules] = {
    "postgresql": DialectRules(
        strip_default_casts=True,
        server_compares_defaults=True,
        reflects_fk_deferral=True,
        serial_defaults=True,
        named_enum_types=True,
    ),
    "mysql": _MYSQL,
    "mariadb": _MYSQL,
    "sqlite": DialectRules(reflects_expression_indexes=False),
    "oracle": DialectRules(reflects_fk_deferral=True),
}


def rules_for(dialect_name: str) -> DialectRules:
    """The rules of ``dialect_name`` (defaults for dialects without quirks)."""
    return RULES.get(dialect_name) or DialectRules()
