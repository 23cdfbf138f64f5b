"""Run the catalogue under one implementation and record each case's offline output.

``python -m tools.opdiff.runner alembic`` (inside .venv-alembic) or ``... dbshift`` prints a JSON
object ``{case name: {"sql": [...], "error": {...} | null, "warnings": [...]}}`` on stdout. Each
``sql`` entry is one write to the output buffer with its whitespace collapsed.
"""

from __future__ import annotations

import contextlib
import json
import sys
import traceback
import warnings
from collections.abc import Iterable
from typing import Any

from .cases import Case, all_cases


class Recorder:
    """An output buffer that keeps every write separately."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def statements(self) -> list[str]:
        return [s for s in (" ".join(w.split()) for w in self.writes) if s]


def load_flavour(flavour: str) -> dict[str, Any]:
    """The MigrationContext / Operations / ops objects of ``alembic`` or ``dbshift``."""
    if flavour == "alembic":
        from alembic.migration import MigrationContext
        from alembic.operations import MigrateOperation, Operations, ops
    elif flavour == "dbshift":
        from dbshift.migration import MigrationContext
        from dbshift.operations import Operations, ops
        from dbshift.operations.ops import MigrateOperation
    else:
        raise ValueError(f"unknown flavour {flavour!r}; expected 'alembic' or 'dbshift'")
    return {
        "MigrationContext": MigrationContext, "Operations": Operations, "ops": ops,
        "MigrateOperation": MigrateOperation,
    }


def _error(exc: BaseException) -> dict[str, str]:
    message = " ".join(str(exc).split())
    return {
        "type": type(exc).__name__,
        "qualname": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "message": message[:400],
        "where": "".join(traceback.format_tb(exc.__traceback__, limit=-2)).strip()[-600:],
    }


def run_case(case: Case, flavour: dict[str, Any]) -> dict[str, Any]:
    """Execute one case offline; never raises."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import mssql, mysql, oracle, postgresql
    from sqlalchemy.engine.default import DefaultDialect

    recorder = Recorder()
    opts: dict[str, Any] = {"as_sql": True, "output_buffer": recorder, **case.opts}
    if case.naming_convention is not None:
        opts["target_metadata"] = sa.MetaData(naming_convention=case.naming_convention)
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if case.dialect == "default":
                target: dict[str, Any] = {"dialect": DefaultDialect()}
            else:
                target = {"dialect_name": case.dialect}
            ctx = flavour["MigrationContext"].configure(**target, opts=opts)
            operations = flavour["Operations"](ctx)
            namespace = {
                "op": operations, "sa": sa, "postgresql": postgresql, "mysql": mysql,
                "mssql": mssql, "oracle": oracle, "ops": flavour["ops"],
                "Operations": flavour["Operations"],
                "MigrateOperation": flavour["MigrateOperation"],
                "emit": lambda text: recorder.write(f"-- emit: {text}\n"),
            }
            exec(compile(case.code, case.name, "exec"), namespace)
        except Exception as exc:  # the point is to record it
            error = _error(exc)
    return {
        "sql": recorder.statements(),
        "error": error,
        "warnings": sorted({f"{w.category.__name__}: {' '.join(str(w.message).split())}"
                            for w in caught}),
    }


def run_cases(flavour_name: str, cases: Iterable[Case] | None = None) -> dict[str, Any]:
    """Run ``cases`` (default: the whole catalogue) under ``flavour_name``."""
    flavour = load_flavour(flavour_name)
    results = {}
    with contextlib.redirect_stdout(sys.stderr):
        for case in cases if cases is not None else all_cases():
            results[case.name] = run_case(case, flavour)
    return results


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m tools.opdiff.runner {alembic|dbshift} [name-substring]",
              file=sys.stderr)
        return 2
    flavour_name, *patterns = args
    cases = [c for c in all_cases() if not patterns or any(p in c.name for p in patterns)]
    json.dump(run_cases(flavour_name, cases), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
