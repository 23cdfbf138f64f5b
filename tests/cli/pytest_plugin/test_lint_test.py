"""dbshift's own built-in test ``lint_pending_revisions`` (opt-in): ``dbshift lint`` over the
revisions the test database has not applied, failing on error findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import reachable
from .harness import FRESH_CONFTEST, Project, fresh_database, run_pytest
from .test_against_pytest_alembic import CHAIN, MODELS, SEED_MODELS, SEED_REVISION

LINT = "pytest_alembic_include_experimental = lint_pending_revisions\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def linted_backend(request):
    """SQLite and PostgreSQL (on MariaDB the rule used here is a warning)."""
    return reachable(request.param)


def _run(project: Project, where: Path, backend) -> dict:
    path = project.write(where)
    run = run_pytest("dbshift", path, fresh_database(backend[0], backend[1], path, "dbshift"),
                     "-k", "lint")
    return run.outcomes


def test_clean_revisions_pass(linted_backend, tmp_path: Path) -> None:
    outcomes = _run(Project(CHAIN, MODELS, conftest=FRESH_CONFTEST, ini=LINT), tmp_path,
                    linted_backend)
    assert outcomes["test_lint_pending_revisions"].result == "passed"


def test_an_error_finding_fails_and_is_listed(linted_backend, tmp_path: Path) -> None:
    chain = {**CHAIN, "0003_nickname.py": SEED_REVISION.format(default="")}
    outcomes = _run(Project(chain, SEED_MODELS, conftest=FRESH_CONFTEST, ini=LINT), tmp_path,
                    linted_backend)
    outcome = outcomes["test_lint_pending_revisions"]
    assert outcome.result == "failure"
    assert "error finding(s) in 3 pending revision(s)" in outcome.text
    assert "0003_nickname.py:" in outcome.text
    assert "not-null-column-without-default" in outcome.text


def test_lint_since_leaves_older_revisions_out(linted_backend, tmp_path: Path) -> None:
    chain = {**CHAIN, "0003_nickname.py": SEED_REVISION.format(default="")}
    project = Project(chain, SEED_MODELS, conftest=FRESH_CONFTEST,
                      ini=LINT + "dbshift_lint_since = 0003\n")
    outcomes = _run(project, tmp_path, linted_backend)
    assert outcomes["test_lint_pending_revisions"].result == "passed"
