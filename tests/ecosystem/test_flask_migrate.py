"""Flask-Migrate on dbshift: ``flask db ...`` as a user types it, against the same under Alembic.

One Flask app (Flask-SQLAlchemy, a ``user`` table on SQLite) goes through init, check, migrate,
upgrade, a type change, current and two downgrades, once in ``.venv-eco-alembic`` and
once in ``.venv-eco``. Each test compares one aspect of the two sessions: exit statuses, printed
output, log lines, the files ``init`` writes, the generated revisions, and the schema after each
upgrade and downgrade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .harness import (
    Run,
    Step,
    assert_same,
    assert_same_outcomes,
    per_tool,
    revision_files,
    run_steps,
    schema_snapshot,
    without_project_path,
)

APP = '''\
import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.abspath("app.db")
db = SQLAlchemy(app)
migrate = Migrate(app, db)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(int(os.environ.get("NAME_LENGTH", "128"))))
'''

SHORT_NAME = (("NAME_LENGTH", "10"),)
STEPS = (
    Step("init", ("flask", "db", "init")),
    Step("check before migrate", ("flask", "db", "check")),
    Step("migrate 0001", ("flask", "db", "migrate", "-m", "users", "--rev-id", "0001")),
    Step("upgrade to 0001", ("flask", "db", "upgrade")),
    Step("check at head", ("flask", "db", "check")),
    Step("migrate 0002", ("flask", "db", "migrate", "-m", "shorter", "--rev-id", "0002"), SHORT_NAME),
    Step("upgrade to 0002", ("flask", "db", "upgrade"), SHORT_NAME),
    Step("current", ("flask", "db", "current"), SHORT_NAME),
    Step("downgrade to 0001", ("flask", "db", "downgrade"), SHORT_NAME),
    Step("downgrade to base", ("flask", "db", "downgrade"), SHORT_NAME),
)
#: Steps after which the database's schema is recorded.
SNAPSHOT_AFTER = ("upgrade to 0001", "upgrade to 0002", "downgrade to 0001", "downgrade to base")
#: The loggers (and the line) of Alembic's autogenerate run.
_AUTOGENERATE_LINE = re.compile(
    r"^\w+ +\[alembic\.(autogenerate\.|runtime\.plugins\] setting up autogenerate plugin )"
)


@dataclass
class Session:
    """What one tool's ``flask db`` session left: runs, files, revisions and schemas."""

    project: Path
    runs: dict[str, Run]
    init_files: dict[str, str]
    revisions: dict[str, str]
    schemas: dict[str, Any]


def _session(tool: str, project: Path) -> Session:
    project.mkdir()
    (project / "app.py").write_text(APP)
    schemas: dict[str, Any] = {}
    init_files: dict[str, str] = {}

    def record(step: Step) -> None:
        if step.label == "init":
            folder = project / "migrations"
            init_files.update(
                {p.name: p.read_text() for p in sorted(folder.glob("*")) if p.is_file()}
                if folder.is_dir() else {}
            )
        if step.label in SNAPSHOT_AFTER:
            schemas[step.label] = schema_snapshot(f"sqlite:///{project / 'app.db'}")

    runs = run_steps(tool, STEPS, project, {"FLASK_APP": "app.py"}, after=record)
    revisions = revision_files(project) if (project / "migrations" / "versions").is_dir() else {}
    return Session(project, runs, init_files, revisions, schemas)


@pytest.fixture(scope="module")
def sessions(eco_venvs: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Session]:
    """The same ``flask db`` session under Alembic and under dbshift."""
    base = tmp_path_factory.mktemp("flask_migrate")
    found = per_tool(lambda tool: _session(tool, base / tool))
    reference = found["alembic"]
    for label in ("init", "migrate 0001", "upgrade to 0001", "check at head", "upgrade to 0002"):
        run = reference.runs[label]
        assert run.returncode == 0, f"reference run failed:\n{run.describe()}"
    return found


#: dbshift runs SQLite DDL in a transaction (a deliberate difference, see the README), and its
#: log line says so; that line is read as Alembic's for the comparison.
SQLITE_TRANSACTIONAL = (
    "INFO  [alembic.runtime.migration] Will assume transactional DDL.",
    "INFO  [alembic.runtime.migration] Will assume non-transactional DDL.",
)


def _printed(
    session: Session, stream: str, leave_out: re.Pattern[str] | None = None
) -> dict[str, list[str]]:
    printed = {}
    for label, run in session.runs.items():
        text = without_project_path(getattr(run, stream), session.project)
        printed[label] = [
            SQLITE_TRANSACTIONAL[1] if line == SQLITE_TRANSACTIONAL[0] else line
            for line in text.splitlines()
            if leave_out is None or not leave_out.match(line)
        ]
    return printed


def test_each_command_succeeds_or_fails_as_under_alembic(sessions: dict[str, Session]) -> None:
    assert_same_outcomes(sessions["alembic"].runs, sessions["dbshift"].runs)


def test_commands_print_the_same_output(sessions: dict[str, Session]) -> None:
    assert_same_outcomes(sessions["alembic"].runs, sessions["dbshift"].runs)
    assert_same(
        "stdout of each flask db command",
        _printed(sessions["alembic"], "stdout"),
        _printed(sessions["dbshift"], "stdout"),
    )


def test_commands_log_the_same_lines(sessions: dict[str, Session]) -> None:
    # Flask-Migrate's alembic.ini logs `alembic` at INFO to stderr: the migration context's lines
    # (`Context impl SQLiteImpl.`, `Running upgrade  -> 0001, users`) and Flask-Migrate's own.
    # The lines of autogenerate's comparison are the next test's.
    assert_same_outcomes(sessions["alembic"].runs, sessions["dbshift"].runs)
    assert_same(
        "stderr (log lines but autogenerate's) of each flask db command",
        _printed(sessions["alembic"], "stderr", _AUTOGENERATE_LINE),
        _printed(sessions["dbshift"], "stderr", _AUTOGENERATE_LINE),
    )


def test_autogenerate_logs_the_same_lines(sessions: dict[str, Session]) -> None:
    # Flask-Migrate's own test suite looks for
    # "Detected type change from VARCHAR(length=128) to String(length=10)" on stderr.
    assert_same_outcomes(sessions["alembic"].runs, sessions["dbshift"].runs)
    assert_same(
        "stderr (log lines) of each flask db command",
        _printed(sessions["alembic"], "stderr"),
        _printed(sessions["dbshift"], "stderr"),
    )


def test_init_writes_the_same_files(sessions: dict[str, Session]) -> None:
    assert_same_outcomes(sessions["alembic"].runs, sessions["dbshift"].runs)
    assert_same(
        "files `flask db init` wrote",
        sessions["alembic"].init_files,
        sessions["dbshift"].init_files,
    )


def test_migrate_writes_the_same_revisions(sessions: dict[str, Session]) -> None:
    assert_same_outcomes(sessions["alembic"].runs, sessions["dbshift"].runs)
    assert_same(
        "revision files `flask db migrate` wrote",
        sessions["alembic"].revisions,
        sessions["dbshift"].revisions,
    )


def test_upgrade_and_downgrade_leave_the_same_schema(sessions: dict[str, Session]) -> None:
    assert_same_outcomes(sessions["alembic"].runs, sessions["dbshift"].runs)
    assert_same("schema after each step", sessions["alembic"].schemas, sessions["dbshift"].schemas)
