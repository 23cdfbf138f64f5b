"""pytest-alembic on dbshift: its built-in tests run against a project, under both tools.

A two-revision project on PostgreSQL runs ``pytest --test-alembic`` in each virtualenv with the
four default tests and the experimental ``downgrade_leaves_no_trace`` and
``all_models_register_on_metadata``: with models that match the migrations everything passes
under Alembic. With models that drifted, ``test_model_definitions_match_ddl`` fails and shows the
migration autogenerate would write (rendered by ``_render_cmd_body``). dbshift must give the same
outcome for every test and the same rendered migration.
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from .harness import (
    EcosystemGap,
    Run,
    as_alembic_markers,
    assert_same,
    per_tool,
    reset_database,
    run_in_venv,
    write_project,
)

MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()
account = sa.Table(
    "account", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("email", sa.String(120)),
)
"""
DRIFTED_MODELS = MODELS + """\
sa.Table("audit", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("note", sa.Text))
account.append_column(sa.Column("created_at", sa.DateTime))
"""
REVISIONS = {
    "0001_account.py": '''\
"""account"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )


def downgrade():
    op.drop_table("account")
''',
    "0002_email.py": '''\
"""email"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("account", sa.Column("email", sa.String(120)))


def downgrade():
    op.drop_column("account", "email")
''',
}
CONFTEST = """\
import os

import pytest
import sqlalchemy as sa


@pytest.fixture
def alembic_engine():
    engine = sa.create_engine(os.environ["ECO_PG_URL"], poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()
"""
PYTEST_INI = """\
[pytest]
pytest_alembic_include_experimental = downgrade_leaves_no_trace,all_models_register_on_metadata
"""
BUILT_IN_TESTS = (
    "test_all_models_register_on_metadata",
    "test_downgrade_leaves_no_trace",
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
)
DRIFT_TEST = "test_model_definitions_match_ddl"
_RENDERED = re.compile(
    r"The upgrade which would have been generated would look like:\n(.*?# ### end Alembic commands ###)",
    re.DOTALL,
)


@dataclass
class PytestRun:
    """One ``pytest --test-alembic`` run: the process and each built-in test's result."""

    run: Run
    outcomes: dict[str, str]
    #: The failure message (the exception's text) of each test that did not pass.
    failures: dict[str, str]

    def rendered_migration(self, test: str) -> str | None:
        """The migration a failing ``test_model_definitions_match_ddl`` shows, dedented."""
        found = _RENDERED.search(as_alembic_markers(self.failures.get(test, "")))
        return None if found is None else textwrap.dedent(found.group(1))


def _pytest_alembic(tool: str, project: Path, url: str, only: str | None) -> PytestRun:
    reset_database(url)
    report = project / "report.xml"
    select = ("-k", only) if only else ()
    run = run_in_venv(
        tool,
        ("python", "-m", "pytest", "--test-alembic", "-p", "no:cacheprovider", "-q",
         f"--junitxml={report}", *select),
        project,
        {"ECO_PG_URL": url},
    )
    outcomes: dict[str, str] = {}
    failures: dict[str, str] = {}
    if report.exists():
        for case in ET.parse(report).getroot().iter("testcase"):
            name = case.get("name", "")
            problem = next((c for c in case if c.tag in ("failure", "error", "skipped")), None)
            outcomes[name] = "passed" if problem is None else problem.tag
            if problem is not None:
                failures[name] = problem.get("message", "")
    return PytestRun(run, outcomes, failures)


def _runs(
    models: str, base: Path, urls: dict[str, str], only: str | None = None
) -> dict[str, PytestRun]:
    def session(tool: str) -> PytestRun:
        project = base / tool
        write_project(project, urls[tool], models, revisions=REVISIONS)
        (project / "tests").mkdir()
        (project / "tests" / "conftest.py").write_text(CONFTEST)
        (project / "pytest.ini").write_text(PYTEST_INI)
        return _pytest_alembic(tool, project, urls[tool], only)

    return per_tool(session)


@pytest.fixture(scope="module")
def in_sync(
    eco_venvs: None, eco_pg_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, PytestRun]:
    """Both tools' runs on the project whose models match its migrations."""
    found = _runs(MODELS, tmp_path_factory.mktemp("pytest_alembic_in_sync"), eco_pg_urls)
    reference = found["alembic"]
    assert reference.outcomes == dict.fromkeys(BUILT_IN_TESTS, "passed"), reference.run.describe()
    return found


@pytest.fixture(scope="module")
def drifted(
    eco_venvs: None, eco_pg_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, PytestRun]:
    """Both tools' runs of the model test on a project whose models have a table and a column
    more."""
    found = _runs(
        DRIFTED_MODELS, tmp_path_factory.mktemp("pytest_alembic_drifted"), eco_pg_urls,
        only=DRIFT_TEST,
    )
    reference = found["alembic"]
    assert reference.outcomes == {DRIFT_TEST: "failure"}, reference.run.describe()
    assert reference.rendered_migration(DRIFT_TEST), reference.failures
    return found


def _same_outcomes(runs: dict[str, PytestRun]) -> None:
    dbshift = runs["dbshift"]
    if not dbshift.outcomes:
        raise EcosystemGap(
            f"pytest --test-alembic ran no test under dbshift: {dbshift.run.last_error_line()}\n"
            f"{dbshift.run.describe()}"
        )
    assert_same(
        "outcome of each pytest-alembic test", runs["alembic"].outcomes, dbshift.outcomes
    )


def test_built_in_tests_pass_when_models_match(in_sync: dict[str, PytestRun]) -> None:
    _same_outcomes(in_sync)


def test_model_drift_fails_the_model_test(drifted: dict[str, PytestRun]) -> None:
    _same_outcomes(drifted)


def test_model_drift_shows_the_same_rendered_migration(drifted: dict[str, PytestRun]) -> None:
    _same_outcomes(drifted)
    assert_same(
        f"migration shown by a failing {DRIFT_TEST}",
        drifted["alembic"].rendered_migration(DRIFT_TEST),
        drifted["dbshift"].rendered_migration(DRIFT_TEST),
    )
