"""Compare two runs of the catalogue and read the list of known differences."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KNOWN_DIFFERENCES = Path(__file__).with_name("KNOWN_DIFFERENCES.md")

#: Outcome of one case, from most to least agreeable.
MATCH = "match"
#: Same statements; only the order of items that Alembic takes from a Python set differs.
MATCH_REORDERED = "match (set order)"
SQL_DIFFERS = "sql differs"
ERROR_DIFFERS = "error type differs"
ONLY_ALEMBIC_RAISES = "only alembic raises"
ONLY_DBSHIFT_RAISES = "only dbshift raises"

MATCHING = (MATCH, MATCH_REORDERED)

_PATTERN_LINE = re.compile(r"^\s*[-*]\s+`([^`]+)`")


_SEPARATORS = {"GO", "/"}
_UNORDERED_KINDS = (
    (re.compile(r"^CREATE (UNIQUE )?INDEX "), "create index"),
    (re.compile(r"^ALTER TABLE \S+ ADD CONSTRAINT "), "add constraint"),
    (re.compile(r"^ALTER TABLE \S+ DROP (CONSTRAINT|FOREIGN KEY|INDEX|CHECK) "), "drop constraint"),
)
_TABLE_CONSTRAINT = re.compile(r"^(CONSTRAINT \S+ )?(PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK)\b")


def normalised(result: dict[str, Any]) -> str:
    """All statements of a result as one string with whitespace collapsed."""
    return " ".join(" ".join(result["sql"]).split())


def _units(statements: list[str]) -> list[str]:
    """Statements with an offline batch separator (``GO``, ``/``) glued to the one before."""
    units: list[str] = []
    for statement in statements:
        if statement in _SEPARATORS and units:
            units[-1] += " " + statement
        else:
            units.append(statement)
    return units


def _split_top_level(body: str) -> list[str]:
    items, depth, start = [], 0, 0
    for i, char in enumerate(body):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(body[start:i].strip())
            start = i + 1
    items.append(body[start:].strip())
    return items


def _canonical_create_table(unit: str) -> str:
    """CREATE TABLE with its table-level constraints sorted (SQLAlchemy emits them in set order)."""
    if not unit.startswith("CREATE TABLE "):
        return unit
    open_at = unit.find("(")
    depth = 0
    for close_at in range(open_at, len(unit)):
        depth += {"(": 1, ")": -1}.get(unit[close_at], 0)
        if depth == 0:
            break
    items = _split_top_level(unit[open_at + 1:close_at])
    columns = [i for i in items if not _TABLE_CONSTRAINT.match(i)]
    constraints = sorted(i for i in items if _TABLE_CONSTRAINT.match(i))
    return f"{unit[:open_at]}( {', '.join(columns + constraints)} ){unit[close_at + 1:]}"


def canonical(result: dict[str, Any]) -> list[str]:
    """Statements with set-ordered parts sorted: table constraints inside CREATE TABLE, and runs
    of consecutive CREATE INDEX / ADD CONSTRAINT / DROP CONSTRAINT statements."""
    out: list[str] = []
    run: list[str] = []
    run_kind = None
    for unit in map(_canonical_create_table, _units(result["sql"])):
        kind = next((k for rx, k in _UNORDERED_KINDS if rx.match(unit)), None)
        if kind is None or kind != run_kind:
            out.extend(sorted(run))
            run = []
        run_kind = kind
        if kind is None:
            out.append(unit)
        else:
            run.append(unit)
    out.extend(sorted(run))
    return out


def outcome(alembic: dict[str, Any], dbshift: dict[str, Any]) -> str:
    """How dbshift's result for a case relates to Alembic's."""
    a_err, d_err = alembic["error"], dbshift["error"]
    if a_err and not d_err:
        return ONLY_ALEMBIC_RAISES
    if d_err and not a_err:
        return ONLY_DBSHIFT_RAISES
    if a_err and d_err and a_err["type"] != d_err["type"]:
        return ERROR_DIFFERS
    if normalised(alembic) == normalised(dbshift):
        return MATCH
    if canonical(alembic) == canonical(dbshift):
        return MATCH_REORDERED
    return SQL_DIFFERS


@dataclass(frozen=True)
class KnownPattern:
    """A case name from KNOWN_DIFFERENCES.md; ``*`` matches any run of characters."""

    text: str

    def matches(self, case_name: str) -> bool:
        regex = ".*".join(re.escape(part) for part in self.text.split("*"))
        return re.fullmatch(regex, case_name) is not None


def known_patterns(path: Path = KNOWN_DIFFERENCES) -> list[KnownPattern]:
    """Every backticked case name that starts a bullet line in the known-differences file."""
    if not path.exists():
        return []
    return [
        KnownPattern(m.group(1).strip())
        for m in map(_PATTERN_LINE.match, path.read_text().splitlines())
        if m
    ]


def compare(
    alembic: dict[str, Any], dbshift: dict[str, Any], patterns: list[KnownPattern]
) -> list[dict[str, Any]]:
    """One row per case: name, outcome, whether it is a listed known difference, both results."""
    rows = []
    for name, a_result in alembic.items():
        d_result = dbshift.get(name)
        if d_result is None:
            continue
        status = outcome(a_result, d_result)
        known = status not in MATCHING and any(p.matches(name) for p in patterns)
        rows.append({
            "name": name, "outcome": status, "known": known,
            "alembic": a_result, "dbshift": d_result,
        })
    return rows
