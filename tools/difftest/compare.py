"""Compare two tool runs (Alembic's and dbshift's) and render the differences for people."""

from __future__ import annotations

import difflib
import re
from typing import Any

#: Statements of an offline script whose last line ends with one of these are complete.
_TERMINATORS = (";",)
_BLOCK_END = {"GO", "/"}


def split_statements(sql: str) -> list[str]:
    """Offline SQL as a list of whitespace-normalised statements and ``--`` comments."""
    out: list[str] = []
    current: list[str] = []
    for raw in sql.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not current and line.startswith("--"):
            out.append(" ".join(line.split()))
            continue
        if line in _BLOCK_END:
            if current:
                out.append(" ".join(" ".join(current).split()))
                current = []
            continue
        current.append(line)
        if line.endswith(_TERMINATORS):
            out.append(" ".join(" ".join(current).split()))
            current = []
    if current:
        out.append(" ".join(" ".join(current).split()))
    return out


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _named(items: Any) -> bool:
    if not isinstance(items, list) or not items:
        return False
    if not all(isinstance(i, dict) and i.get("name") for i in items):
        return False
    names = [i["name"] for i in items]
    return len(set(names)) == len(names)


def diff_values(a: Any, b: Any, path: str = "") -> list[str]:
    """Human-readable differences between two JSON values (``a`` = Alembic, ``b`` = dbshift)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in b:
                out.append(f"{sub}: only under alembic: {_short(a[key])}")
            elif key not in a:
                out.append(f"{sub}: only under dbshift: {_short(b[key])}")
            else:
                out.extend(diff_values(a[key], b[key], sub))
        return out
    if _named(a) and _named(b):
        da = {i["name"]: i for i in a}
        db = {i["name"]: i for i in b}
        out = diff_values(da, db, path)
        common_a = [n for n in da if n in db]
        common_b = [n for n in db if n in da]
        if not out and common_a != common_b:
            out.append(f"{path}: order alembic={common_a} dbshift={common_b}")
        return out
    if a != b:
        if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > 80:
            return [f"{path}: {_string_difference(a, b)}"]
        return [f"{path}: alembic={_short(a)} dbshift={_short(b)}"]
    return []


def _string_difference(a: str, b: str, context: int = 40) -> str:
    """Where two long strings part: a little shared context, then each side's differing text."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    head = a[max(0, start - context) : start]
    return (
        f"...{head!s}[alembic: {a[start:len(a) - end]!r} | dbshift: {b[start:len(b) - end]!r}]"
        f"{a[len(a) - end:][:context]}..."
    )


def diff_statements(a: list[str], b: list[str]) -> list[str]:
    """The statements only one side emitted, as ``-``/``+`` lines (``-`` = Alembic)."""
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        out.append(f"@@ alembic statement {i1 + 1}-{i2}, dbshift statement {j1 + 1}-{j2}")
        out.extend(f"- {s}" for s in a[i1:i2])
        out.extend(f"+ {s}" for s in b[j1:j2])
    return out


def _outcome(step: dict[str, Any]) -> dict[str, Any]:
    if step.get("ok") is None:
        return {"ran": False}
    error = step.get("error") or {}
    return {
        "ok": step["ok"],
        "error_kind": error.get("kind") if not step["ok"] else None,
        "failed_at": step.get("last_step") if not step["ok"] else None,
    }


def compare_outcomes(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Differences in how a step ended: success, the error's kind, the migration step it failed in.

    Kinds match when equal or when one side wraps the other's error (dbshift raises
    ``PartialMigrationError`` *from* the database error where DDL is not transactional): the
    wrapped kind must be in the other side's exception chain.
    """
    oa, ob = _outcome(a), _outcome(b)
    if (oa.get("failed_at") is None) != (ob.get("failed_at") is None):
        # only one side logged the step (an env.py without logging: Alembic logs nothing,
        # dbshift's command line still says which step runs)
        oa.pop("failed_at", None)
        ob.pop("failed_at", None)
    if oa.get("error_kind") and ob.get("error_kind") and oa["error_kind"] != ob["error_kind"]:
        chain_a = (a.get("error") or {}).get("chain") or []
        chain_b = (b.get("error") or {}).get("chain") or []
        if oa["error_kind"] in chain_b or ob["error_kind"] in chain_a:
            oa["error_kind"] = ob["error_kind"] = "same (wrapped)"
        elif _is_a(ob["error_kind"], oa["error_kind"]):
            oa["error_kind"] = ob["error_kind"] = "same (subclass)"
    return diff_values(oa, ob)


def _is_a(dbshift_kind: str, alembic_kind: str) -> bool:
    """Whether dbshift's error class (in ``dbshift.util.exc``) is a subclass of Alembic's, a
    built-in exception: ``except ValueError`` in a revision catches both."""
    import builtins

    from dbshift.util import exc

    mine, theirs = getattr(exc, dbshift_kind, None), getattr(builtins, alembic_kind, None)
    return (
        isinstance(mine, type) and isinstance(theirs, type) and issubclass(theirs, BaseException)
        and issubclass(mine, theirs)
    )


#: Differences that are dbshift's design, not a bug; each is checked narrowly before it is accepted.
ACCEPTED = {
    "sqlite-rollback": (
        "dbshift's DDL on SQLite is transactional (Alembic's is not): the failed command was rolled "
        "back whole, where Alembic kept what ran before the error"
    ),
    "sqlite-offline-transaction": (
        "dbshift wraps an offline SQLite script in BEGIN/COMMIT (transactional DDL on SQLite)"
    ),
    "clock-in-sql": (
        "the revision writes the current time into its SQL (a timestamp literal, a log line); "
        "both tools write one, taken when each ran"
    ),
    "index-order": (
        "Alembic creates a new table's indexes in the order of a set, which changes from run to "
        "run; consecutive CREATE INDEX statements are compared in any order"
    ),
    "sqlite-collation-kept": (
        "a SQLite batch rebuild keeps a column's COLLATE clause; Alembic's rebuild drops it"
    ),
    "sqlite-expression-index-kept": (
        "a SQLite batch rebuild keeps the table's indexes on expressions; Alembic's rebuild "
        "drops them (SQLAlchemy cannot reflect them)"
    ),
}

_COLLATE = re.compile(r' COLLATE "[^"]*"')


def _without_collations(schema: Any) -> Any:
    """``schema`` with the COLLATE clauses taken out of its SQLite CREATE statements."""
    if not isinstance(schema, dict) or not isinstance(schema.get("raw_ddl"), dict):
        return schema
    raw = {key: _COLLATE.sub("", sql) if isinstance(sql, str) else sql
           for key, sql in schema["raw_ddl"].items()}
    return {**schema, "raw_ddl": raw}


def _is_expression_index(sql: Any) -> bool:
    """Whether a SQLite ``CREATE INDEX`` indexes an expression (a call, an operator, a literal)
    rather than plain columns."""
    if not isinstance(sql, str) or not sql.upper().startswith(("CREATE INDEX", "CREATE UNIQUE")):
        return False
    start = sql.find("(", sql.upper().find(" ON "))
    if start < 0:
        return False
    depth, end = 0, len(sql)
    for i in range(start, len(sql)):  # the column list ends at its own closing parenthesis
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        if depth == 0:
            end = i
            break
    body = sql[start + 1 : end]
    return any(ch in body for ch in "('|+-*/")


def _without_kept_expression_indexes(a: Any, b: Any) -> Any:
    """``b`` less the expression indexes it has and ``a`` lacks."""
    if not isinstance(b, dict) or not isinstance(b.get("raw_ddl"), dict):
        return b
    theirs = (a or {}).get("raw_ddl") or {}
    raw = {
        key: sql for key, sql in b["raw_ddl"].items()
        if key in theirs or not (key.startswith("index ") and _is_expression_index(sql))
    }
    return {**b, "raw_ddl": raw}


def _schema_difference(a: Any, b: Any, path: str = "") -> tuple[list[str], str | None, list[str]]:
    """``(differences, accepted reason, accepted differences)`` of two snapshots: differences
    that are only a COLLATE clause or expression indexes dbshift's rebuild kept are accepted,
    nothing else."""
    found = diff_values(a, b, path)
    if not found:
        return found, None, []
    plain_a, plain_b = _without_collations(a), _without_collations(b)
    if not diff_values(plain_a, plain_b, path):
        return [], ACCEPTED["sqlite-collation-kept"], found
    if not diff_values(plain_a, _without_kept_expression_indexes(plain_a, plain_b), path):
        reasons = [ACCEPTED["sqlite-expression-index-kept"]]
        if diff_values(a, _without_kept_expression_indexes(a, b), path):
            reasons.append(ACCEPTED["sqlite-collation-kept"])
        return [], "; ".join(reasons), found
    return found, None, []


def _snapshot_parts(snapshot: dict[str, Any] | None) -> tuple[Any, dict[str, Any]]:
    snapshot = snapshot or {}
    return snapshot.get("versions"), {k: v for k, v in snapshot.items() if k != "versions"}


_TIMESTAMP = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:?\d{2}|Z)?"
)


def _without_clock(statements: list[str]) -> list[str]:
    """Statements with their timestamps (literals, a log line's time) replaced by one
    placeholder."""
    return [_TIMESTAMP.sub("<timestamp>", s) for s in statements]


def _index_runs_sorted(statements: list[str]) -> list[str]:
    """Statements with each run of consecutive ``CREATE [UNIQUE] INDEX`` sorted."""
    out: list[str] = []
    run: list[str] = []
    for statement in [*statements, ""]:
        if statement.upper().startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")):
            run.append(statement)
            continue
        out.extend(sorted(run))
        run = []
        if statement:
            out.append(statement)
    return out


def _sqlite_transaction_only(a: list[str], b: list[str]) -> list[str]:
    """The statement differences left once dbshift's own BEGIN;/COMMIT; lines are set aside."""
    extra = {"BEGIN;", "COMMIT;"}
    if [s for s in a if s in extra]:
        return diff_statements(a, b)
    return diff_statements(a, [s for s in b if s not in extra])


def _statements_accepted(
    a: list[str], b: list[str], raw: list[str]
) -> tuple[list[str], str | None, list[str]]:
    """``(differences left, reasons, accepted differences)`` once the timestamps of the run
    and the order of consecutive CREATE INDEX statements are set aside."""
    reasons = []
    if diff_statements(_without_clock(a), _without_clock(b)) != raw:
        a, b = _without_clock(a), _without_clock(b)
        reasons.append(ACCEPTED["clock-in-sql"])
    if diff_statements(_index_runs_sorted(a), _index_runs_sorted(b)) != diff_statements(a, b):
        a, b = _index_runs_sorted(a), _index_runs_sorted(b)
        reasons.append(ACCEPTED["index-order"])
    left = diff_statements(a, b)
    if left or not reasons:
        return raw, None, []
    return [], "; ".join(reasons), raw


def compare_runs(
    alembic: dict[str, Any], dbshift: dict[str, Any], backend: str = ""
) -> list[dict[str, Any]]:
    """One check per aspect: ``{"check", "same", "details": [...], "accepted": reason?}``."""
    checks: list[dict[str, Any]] = []

    def add(name: str, details: list[str], accepted: str | None = None, raw: Any = None) -> None:
        """``details`` count as differences; ``raw`` are the ones ``accepted`` explains away."""
        check: dict[str, Any] = {"check": name, "same": not details, "details": details}
        if accepted and raw:
            check["accepted"] = accepted
            check["accepted_details"] = raw
        checks.append(check)

    for name in alembic["steps"]:
        a = alembic["steps"][name]
        b = dbshift["steps"].get(name, {"ok": None})
        outcome = compare_outcomes(a, b)
        add(f"{name}.outcome", outcome)
        if "snapshot" in a or "snapshot" in b:
            versions_a, schema_a = _snapshot_parts(a.get("snapshot"))
            versions_b, schema_b = _snapshot_parts(b.get("snapshot"))
            accepted = None
            if backend == "sqlite" and not outcome and a.get("ok") is False and b.get("ok") is False:
                before = (
                    dbshift.get("initial_snapshot")
                    if name == "upgrade"
                    else dbshift["steps"]["upgrade"].get("snapshot")
                )
                if before is not None and not diff_values(before, b.get("snapshot")):
                    accepted = ACCEPTED["sqlite-rollback"]
            for aspect, found in (
                ("versions", diff_values(versions_a, versions_b, "versions")),
                ("schema", diff_values(schema_a, schema_b)),
            ):
                if accepted:
                    add(f"{name}.{aspect}", [], accepted, found)
                elif aspect == "schema":
                    add(f"{name}.{aspect}", *_schema_difference(schema_a, schema_b))
                else:
                    add(f"{name}.{aspect}", found)
        if "sql" in a or "sql" in b:
            if a.get("ok") and b.get("ok"):
                sa_, sb = split_statements(a["sql"]), split_statements(b["sql"])
                raw = diff_statements(sa_, sb)
                remaining = _sqlite_transaction_only(sa_, sb) if backend == "sqlite" else raw
                if remaining != raw:
                    add(f"{name}.statements", remaining, ACCEPTED["sqlite-offline-transaction"], raw)
                elif raw:
                    add(f"{name}.statements", *_statements_accepted(sa_, sb, raw))
                else:
                    add(f"{name}.statements", raw)
    return checks


def _handoff_steps(handoff: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"args": step["args"], "ok": step["ok"], "error_kind": (step.get("error") or {}).get("kind")}
        for step in handoff["steps"]
    ]


def compare_handoff(handoff: dict[str, Any], control: dict[str, Any]) -> dict[str, Any]:
    """Check that a database passed from one tool to the other ends as the same split run by
    Alembic alone (``control``) does: same step outcomes, same schema and version rows."""
    details = diff_values(_handoff_steps(control), _handoff_steps(handoff), "steps")
    schema, accepted, raw = _schema_difference(control["snapshot"], handoff["snapshot"])
    check: dict[str, Any] = {
        "check": f"handoff.{handoff['first']}->{handoff['second']}",
        "same": not details and not schema,
        "details": details + schema,
    }
    if accepted:
        check["accepted"], check["accepted_details"] = accepted, raw
    return check


def render_report(summary: dict[str, Any], max_lines: int = 40) -> str:
    """The summary as text: one line per check, the differences indented under it."""
    runs = summary["runs"]
    control_steps = summary["handoffs"][0]["steps"] if summary.get("handoffs") else []
    lines = [f"difftest: {summary['project']} on {summary['backend']}"]
    for tool, run in runs.items():
        timings = ", ".join(
            f"{name} {step['seconds']:.2f}s" for name, step in run["steps"].items() if "seconds" in step
        )
        lines.append(f"  {tool:8} {run['python']}  ({timings})")
    for check in summary["checks"]:
        name = check["check"]
        aspect = name.split(".", 1)[0]
        outcomes = {t: _describe(r["steps"].get(aspect, {})) for t, r in runs.items()}
        flag = "DIFF" if not check["same"] else ("okay" if check.get("accepted") else "same")
        if not check["same"] and check.get("accepted"):
            flag = "DIFF"
        if name.startswith("handoff."):
            lines.append(
                f"  [{flag}] {name}: {name[8:].split('->')[0]} upgrade +1, then "
                f"{name.split('->')[1]} upgrade head; compared with Alembic doing both "
                f"({'ok' if all(s['ok'] for s in control_steps) else 'fails there too'})"
            )
        elif name.endswith(".outcome"):
            lines.append(f"  [{flag}] {name}: " + "; ".join(f"{t}: {o}" for t, o in outcomes.items()))
        else:
            lines.append(f"  [{flag}] {name}")
        details = check["details"]
        if check.get("accepted"):
            lines.append(f"        accepted: {check['accepted']}:")
            for detail in check["accepted_details"][:max_lines]:
                lines.append(f"          {detail}")
            if details:
                lines.append("        not accepted:")
        for detail in details[:max_lines]:
            lines.append(f"        {detail}")
        if len(details) > max_lines:
            lines.append(f"        ... {len(details) - max_lines} more")
    differing = [c["check"] for c in summary["checks"] if not c["same"]]
    lines.append(
        "RESULT: identical" if not differing else f"RESULT: {len(differing)} differing: {', '.join(differing)}"
    )
    return "\n".join(lines)


def _describe(step: dict[str, Any]) -> str:
    if step.get("ok") is None:
        return f"not run ({step.get('skipped', '?')})"
    if step["ok"]:
        return "ok"
    error = step.get("error") or {}
    where = f" at {step['last_step']}" if step.get("last_step") else ""
    message = re.sub(r"\s+", " ", error.get("message", ""))[:120]
    return f"failed{where}: {error.get('kind')}: {message}"
