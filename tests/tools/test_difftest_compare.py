"""The differential tool accepts exactly the differences it documents, no others."""

from __future__ import annotations

import importlib.util
from pathlib import Path

# the repository's tools/ (``tools`` inside tests/ is this test package)
_PATH = Path(__file__).resolve().parents[2] / "tools" / "difftest" / "compare.py"
_SPEC = importlib.util.spec_from_file_location("difftest_compare", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
_compare = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_compare)
compare_handoff, compare_runs = _compare.compare_handoff, _compare.compare_runs


def _run(ddl: str) -> dict:
    snapshot = {"versions": ["a1"], "tables": ["t"], "raw_ddl": {"table t": ddl}}
    return {"steps": {"upgrade": {"ok": True, "snapshot": snapshot}}}


def _schema_check(alembic_ddl: str, dbshift_ddl: str) -> dict:
    checks = compare_runs(_run(alembic_ddl), _run(dbshift_ddl), "sqlite")
    return next(c for c in checks if c["check"] == "upgrade.schema")


def test_a_kept_collation_is_an_accepted_difference() -> None:
    check = _schema_check(
        "CREATE TABLE t (name VARCHAR(5) NOT NULL)",
        'CREATE TABLE t (name VARCHAR(5) COLLATE "NOCASE" NOT NULL)',
    )
    assert check["same"] and "COLLATE" in check["accepted"]
    assert check["accepted_details"]


def test_any_other_schema_difference_is_reported() -> None:
    check = _schema_check(
        "CREATE TABLE t (name VARCHAR(5) NOT NULL)",
        'CREATE TABLE t (name VARCHAR(6) COLLATE "NOCASE" NOT NULL)',
    )
    assert not check["same"] and "accepted" not in check


def test_handoff_accepts_only_the_collation() -> None:
    control = {"steps": [], "snapshot": _run("CREATE TABLE t (a TEXT)")["steps"]["upgrade"]["snapshot"]}
    kept = {"first": "alembic", "second": "dbshift", "steps": [],
            "snapshot": _run('CREATE TABLE t (a TEXT COLLATE "RTRIM")')["steps"]["upgrade"]["snapshot"]}
    other = {**kept, "snapshot": _run("CREATE TABLE t (b TEXT)")["steps"]["upgrade"]["snapshot"]}
    assert compare_handoff(kept, control)["same"]
    assert not compare_handoff(other, control)["same"]
