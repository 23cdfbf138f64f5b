"""Why a batch rebuild's copy failed: the column, constraint and row counts behind the error.

The database's own message names a constraint at best; these functions count the rows of the old
table that break each rule of the new one, so that the CommandError says what to fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, literal, literal_column, null, select

from ...util.error_text import one_line

if TYPE_CHECKING:
    from sqlalchemy import Table

    from .plan import ColumnPlan, ConstraintPlan


class FailedCopy(Protocol):
    """What the diagnosis reads of the rebuild whose copy failed (a :class:`.TableRebuild`)."""

    #: The table as it was (the copy's source).
    old_table: Table
    #: The dialect implementation, whose connection is still usable.
    impl: Any
    #: The new table's columns, by name.
    columns: dict[str, ColumnPlan]
    #: The new table's constraints.
    constraints: list[ConstraintPlan]


def explain_copy_failure(rebuild: FailedCopy, err: Exception, support: Any) -> str | None:
    """Say which column/constraint and how many rows made the copy fail."""
    old = rebuild.old_table
    conn = rebuild.impl.connection
    checks = {
        plan.source: plan.lossless_check
        for plan in rebuild.columns.values()
        if plan.lossless_check is not None
    }
    try:
        message = str(err)
        lossy = any(
            sign in message
            for sign in ("integer overflow", "_dbshift_lossless_", "cannot store")
        )
        if checks and support is not None and lossy:
            found = support.explain_lossy_cast(checks, old)
            if found:
                return "type change would lose data: " + found
        problems = []
        for plan in rebuild.columns.values():
            if plan.nullable or plan.source is None:
                continue
            src = old.c[plan.source]
            count = conn.execute(
                select(func.count()).select_from(old).where(src.is_(None))
            ).scalar()
            if count:
                problems.append(
                    f"column {plan.name!r} is NOT NULL but {count} row(s) hold NULL"
                )
        sources = {p.name: p.source for p in rebuild.columns.values()}
        for const in rebuild.constraints:
            if const.kind not in ("unique", "primary"):
                continue
            cols = [sources.get(c) for c in const.columns]
            if None in cols:
                continue
            src_cols = [old.c[c] for c in cols]  # type: ignore[index]
            dupes = conn.execute(
                select(func.count()).select_from(
                    select(*src_cols)
                    .where(*(c.is_not(None) for c in src_cols))
                    .group_by(*src_cols)
                    .having(func.count() > 1)
                    .subquery()
                )
            ).scalar()
            if dupes:
                label = const.name or f"{const.kind} ({', '.join(const.columns)})"
                problems.append(
                    f"constraint {label!r}: {dupes} value(s) of "
                    f"({', '.join(const.columns)}) occur in more than one row"
                )
        problems.extend(failing_checks(rebuild, old))
        if problems:
            said = one_line(err, database_message=True)
            return "; ".join(problems) + f" (database said: {said})"
    except Exception:  # pragma: no cover - diagnosis is best effort
        return None
    return None


def failing_checks(rebuild: FailedCopy, old: Table) -> list[str]:
    """``constraint 'ck': N row(s) fail CHECK (...)`` for each CHECK the copied rows break.

    The rows are the old table's, projected as the new table would receive them (renamed,
    cast, new columns at their server default), so the CHECK text applies as written.
    """
    dialect = rebuild.impl.dialect
    projected = []
    for plan in rebuild.columns.values():
        if plan.source is not None:
            expr = plan.transfer if plan.transfer is not None else old.c[plan.source]
        elif isinstance(plan.server_default, str):
            expr = literal(plan.server_default)
        elif plan.server_default is not None and hasattr(plan.server_default, "text"):
            expr = literal_column(plan.server_default.text)
        else:
            expr = null()
        projected.append(expr.label(plan.name))
    rows = select(*projected).select_from(old).subquery("copied")
    found = []
    for const in rebuild.constraints:
        if const.kind != "check" or const.sqltext is None:
            continue
        sqltext = const.sqltext
        if not isinstance(sqltext, str):
            sqltext = str(
                sqltext.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
            )
        condition = " ".join(str(sqltext).split())
        count = rebuild.impl.connection.execute(
            select(func.count()).select_from(rows).where(literal_column(f"NOT ({condition})"))
        ).scalar()
        if count:
            label = repr(const.name) if const.name else "(unnamed)"
            found.append(f"constraint {label}: {count} row(s) fail CHECK ({condition})")
    return found
