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


def _with_index(name: str, sql: str) -> dict:
    run = _run("CREATE TABLE t (a INTEGER)")
    run["steps"]["upgrade"]["snapshot"]["raw_ddl"][f"index {name}"] = sql
    return run


def test_a_kept_expression_index_is_an_accepted_difference() -> None:
    kept = _with_index("ix_e", "CREATE INDEX ix_e ON t (coalesce('a', 'b') DESC)")
    check = next(c for c in compare_runs(_run("CREATE TABLE t (a INTEGER)"), kept, "sqlite")
                 if c["check"] == "upgrade.schema")
    assert check["same"] and "expressions" in check["accepted"]


def test_a_plain_index_only_under_dbshift_is_reported() -> None:
    extra = _with_index("ix_a", "CREATE INDEX ix_a ON t (a) WHERE (a > 1)")
    check = next(c for c in compare_runs(_run("CREATE TABLE t (a INTEGER)"), extra, "sqlite")
                 if c["check"] == "upgrade.schema")
    assert not check["same"]


def _sql_run(sql: str) -> dict:
    return {"steps": {"sql_upgrade": {"ok": True, "sql": sql}}}


def test_clock_literals_in_offline_sql_are_accepted_and_nothing_else() -> None:
    alembic = "INSERT INTO t VALUES ('2026-01-01 10:00:00.1+00:00');\nSELECT 1;\n"
    same = "INSERT INTO t VALUES ('2026-01-01 10:00:03.9+00:00');\nSELECT 1;\n"
    (check,) = [c for c in compare_runs(_sql_run(alembic), _sql_run(same), "postgresql")
                if c["check"] == "sql_upgrade.statements"]
    assert check["same"] and "current time" in check["accepted"]
    other = "INSERT INTO t VALUES ('2026-01-01 10:00:03.9+00:00');\nSELECT 2;\n"
    (check,) = [c for c in compare_runs(_sql_run(alembic), _sql_run(other), "postgresql")
                if c["check"] == "sql_upgrade.statements"]
    assert not check["same"]


def _failed(kind: str, last_step: str | None = "upgrade a -> b") -> dict:
    return {"ok": False, "error": {"kind": kind, "chain": [kind]}, "last_step": last_step}


def test_a_dbshift_error_that_subclasses_alembics_is_the_same_outcome() -> None:
    outcomes = _compare.compare_outcomes
    assert outcomes(_failed("ValueError"), _failed("BatchNameMissing")) == []
    assert outcomes(_failed("KeyError"), _failed("BatchColumnMissing")) == []
    assert outcomes(_failed("KeyError"), _failed("BatchNameMissing")) != []
    # a step only one side logged is not compared; a different one is
    assert outcomes(_failed("ValueError", None), _failed("ValueError")) == []
    assert outcomes(_failed("ValueError", "upgrade x -> y"), _failed("ValueError")) != []


def test_index_order_after_a_new_table_and_clock_are_accepted_together() -> None:
    alembic = ("CREATE TABLE t (a INT, b INT);\nCREATE INDEX ix_b ON t (b);\n"
               "CREATE INDEX ix_a ON t (a);\nINSERT INTO t VALUES ('2026-01-01 10:00:00');\n")
    dbshift = ("CREATE TABLE t (a INT, b INT);\nCREATE INDEX ix_a ON t (a);\n"
               "CREATE INDEX ix_b ON t (b);\nINSERT INTO t VALUES ('2026-01-01 10:00:09');\n")
    (check,) = [c for c in compare_runs(_sql_run(alembic), _sql_run(dbshift), "mariadb")
                if c["check"] == "sql_upgrade.statements"]
    assert check["same"] and "order of a set" in check["accepted"]
    assert "current time" in check["accepted"]
    other = dbshift.replace("ix_b ON t (b)", "ix_b ON t (a)")
    (check,) = [c for c in compare_runs(_sql_run(alembic), _sql_run(other), "mariadb")
                if c["check"] == "sql_upgrade.statements"]
    assert not check["same"]
