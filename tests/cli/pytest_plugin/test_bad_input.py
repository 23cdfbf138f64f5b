"""Bad input to the plugin ends in a test failure, a setup error or a collection error that names
the fixture, file, option or heads, never in a traceback into the plugin."""

from __future__ import annotations

from pathlib import Path

from .harness import CONFTEST, Project, fresh_database, revision, run_pytest
from .test_against_pytest_alembic import BRANCHED, BRANCHED_MODELS, CHAIN, MODELS


def _run(project: Project, where: Path, *args: str):
    path = project.write(where)
    return run_pytest("dbshift", path, fresh_database("sqlite", None, path, "dbshift"), *args)


def _no_plugin_frames(text: str) -> None:
    assert "dbshift/cli/pytest_plugin" not in text, text


def test_an_engine_fixture_giving_something_else_names_the_fixture(tmp_path: Path) -> None:
    conftest = "import pytest\n\n@pytest.fixture\ndef alembic_engine():\n    return 'sqlite://'\n"
    run = _run(Project(CHAIN, MODELS, conftest=conftest), tmp_path)
    outcome = run.outcomes["test_upgrade"]
    assert outcome.result == "error"
    assert "the alembic_engine fixture gave builtins.str ('sqlite://')" in outcome.text
    _no_plugin_frames(outcome.text)


def test_a_failure_on_the_default_engine_says_no_engine_fixture_is_defined(
    tmp_path: Path,
) -> None:
    chain = {**CHAIN, "0003_pg.py": revision(
        "0003", "0002", 'op.execute("CREATE EXTENSION IF NOT EXISTS hstore")', "", "pg only")}
    run = _run(Project(chain, MODELS, conftest=""), tmp_path)
    outcome = run.outcomes["test_upgrade"]
    assert outcome.result == "failure"
    assert "no alembic_engine fixture is defined for conftest.py" in outcome.text
    assert "Failing Revision:\n    0003" in outcome.text
    assert "Failing SQL:\n    CREATE EXTENSION IF NOT EXISTS hstore" in outcome.text
    _no_plugin_frames(outcome.text)


def test_a_revision_that_fails_to_import_is_named_with_its_file(tmp_path: Path) -> None:
    chain = dict(CHAIN)
    chain["0002_email.py"] = chain["0002_email.py"].replace(
        "import sqlalchemy as sa\n", "import sqlalchemy as sa\nimport no_such_module\n"
    )
    run = _run(Project(chain, MODELS), tmp_path)
    outcome = run.outcomes["test_upgrade"]
    assert outcome.result == "failure"
    assert "0002_email.py: ModuleNotFoundError: No module named 'no_such_module'" in outcome.text
    assert "Failing Revision:\n    0002" in outcome.text
    _no_plugin_frames(outcome.text)


def test_two_heads_are_listed(tmp_path: Path) -> None:
    run = _run(Project(BRANCHED, BRANCHED_MODELS), tmp_path)
    outcome = run.outcomes["test_single_head_revision"]
    assert outcome.result == "failure"
    assert "Expected 1 head revision, found 2" in outcome.text
    assert "Heads:\n    0002\n    0002b" in outcome.text or "Heads:\n    0002b\n    0002" in outcome.text
    _no_plugin_frames(outcome.text)


def test_an_unknown_test_name_is_a_collection_error_naming_it(tmp_path: Path) -> None:
    ini = "pytest_alembic_include_experimental = downgrade_leaves_no_trace, no_such_test\n"
    run = _run(Project(CHAIN, MODELS, ini=ini), tmp_path)
    assert run.returncode != 0
    assert "The following tests were unrecognized: no_such_test" in run.output
    _no_plugin_frames(run.output)


def test_a_missing_migrations_folder_is_named(tmp_path: Path) -> None:
    project = Project(CHAIN, MODELS)
    path = project.write(tmp_path)
    (path / "alembic.ini").write_text("[alembic]\nscript_location = no_such_folder\n")
    run = run_pytest("dbshift", path, fresh_database("sqlite", None, path, "dbshift"))
    outcome = run.outcomes["test_upgrade"]
    assert outcome.result == "error"
    assert "no_such_folder" in outcome.text
    _no_plugin_frames(outcome.text)


def test_a_tests_path_that_is_not_collected_is_warned_about(tmp_path: Path) -> None:
    project = Project(CHAIN, MODELS, conftest=CONFTEST, ini="pytest_alembic_tests_path = x/c.py\n")
    run = _run(project, tmp_path)
    assert run.outcomes == {}
    assert "x/c.py (pytest_alembic_tests_path" in run.output
