"""Differential check: every op directive's offline SQL matches Alembic 1.20's, dialect by dialect.

Runs ``python -m tools.opdiff`` (the whole catalogue: Alembic in one subprocess of .venv-alembic,
dbshift in the tool's own process) and asserts that each case either matches Alembic or is listed
in tools/opdiff/KNOWN_DIFFERENCES.md. Without .venv-alembic this is a skip on a developer's machine
and a failure in CI (``CI`` set).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KNOWN = ROOT / "tools" / "opdiff" / "KNOWN_DIFFERENCES.md"
ALEMBIC_PYTHON = Path(
    os.environ.get("OPDIFF_ALEMBIC_PYTHON", ROOT / ".venv-alembic" / "bin" / "python")
)
MATCHING = ("match", "match (set order)")


def known_names() -> list[str]:
    """Backticked case names (``*`` = any run) that start a bullet in KNOWN_DIFFERENCES.md."""
    return re.findall(r"^\s*[-*]\s+`([^`]+)`", KNOWN.read_text(), flags=re.MULTILINE)


def listed(name: str, patterns: list[str]) -> bool:
    return any(
        re.fullmatch(".*".join(map(re.escape, p.split("*"))), name) for p in patterns
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not ALEMBIC_PYTHON.exists():
        message = (
            f"{ALEMBIC_PYTHON} is missing; create it with `python3 -m venv .venv-alembic && "
            ".venv-alembic/bin/pip install alembic==1.20.1`"
        )
        if os.environ.get("CI"):
            pytest.fail(message + " (CI requires the Alembic comparison)")
        pytest.skip(message)
    out = tmp_path_factory.mktemp("opdiff") / "report.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    ), OPDIFF_ALEMBIC_PYTHON=str(ALEMBIC_PYTHON))
    proc = subprocess.run(
        [sys.executable, "-m", "tools.opdiff", "--quiet", "--json", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert out.exists(), f"opdiff did not run:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(out.read_text())


def test_catalogue_covers_every_dialect_and_directive(report):
    names = [row["name"] for row in report["cases"]]
    assert len(names) > 1000
    for dialect in ("default", "sqlite", "postgresql", "mysql", "mariadb", "mssql", "oracle"):
        assert any(n.endswith(f"[{dialect}]") for n in names), dialect
    directives = {n.split(".", 1)[0].split("[", 1)[0] for n in names}
    assert {
        "add_column", "alter_column", "batch", "bulk_insert", "create_check_constraint",
        "create_exclude_constraint", "create_foreign_key", "create_index", "create_primary_key",
        "create_table", "create_table_comment", "create_unique_constraint", "drop_column",
        "drop_constraint", "drop_index", "drop_table", "drop_table_comment", "execute",
        "rename_table", "inline_literal", "invoke", "register_operation",
    } <= directives


def test_every_case_matches_alembic_or_is_a_known_difference(report):
    patterns = known_names()
    unexplained = [
        row for row in report["cases"]
        if row["outcome"] not in MATCHING and not listed(row["name"], patterns)
    ]

    def describe(row: dict) -> str:
        def side(result: dict) -> str:
            err = result["error"]
            return f"raises {err['type']}: {err['message'][:160]}" if err else str(result["sql"])

        return (f"{row['name']} [{row['outcome']}]\n  alembic: {side(row['alembic'])}\n"
                f"  dbshift: {side(row['dbshift'])}")

    assert not unexplained, (
        f"{len(unexplained)} case(s) differ from Alembic and are not in {KNOWN.name}:\n"
        + "\n".join(describe(r) for r in unexplained[:20])
    )


def test_known_differences_name_real_cases(report):
    names = [row["name"] for row in report["cases"]]
    stale = [p for p in known_names() if not any(listed(n, [p]) for n in names)]
    assert not stale, f"{KNOWN.name} lists names that are not in the catalogue: {stale}"
