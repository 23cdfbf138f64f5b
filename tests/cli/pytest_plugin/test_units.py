"""The plugin's pieces on their own: test selection, the flattened history, the settings, and a
walk through a project on SQLite (one run of env.py for many revisions; failures pinned to the
revision and direction)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from dbshift.cli.pytest_plugin.catalog import parse_test_names, select
from dbshift.cli.pytest_plugin.history import MigrationHistory
from dbshift.cli.pytest_plugin.runner import runner
from dbshift.cli.pytest_plugin.settings import Config
from dbshift.cli.pytest_plugin.stepping import StepFailed
from dbshift.config import Config as ProjectConfig

from .harness import Project, revision
from .test_against_pytest_alembic import CHAIN, MODELS


def test_default_selection_and_experimental_opt_in() -> None:
    assert [t.raw_name for t in select([], [], [])] == [
        "test_model_definitions_match_ddl", "test_single_head_revision",
        "test_up_down_consistency", "test_upgrade",
    ]
    chosen = select([], parse_test_names("lint_pending_revisions,\n downgrade_leaves_no_trace"),
                    parse_test_names("upgrade"))
    assert [t.name for t in chosen] == [
        "downgrade_leaves_no_trace", "lint_pending_revisions", "model_definitions_match_ddl",
        "single_head_revision", "up_down_consistency",
    ]
    assert [t.name for t in select(["upgrade"], [], [])] == ["upgrade"]
    with pytest.raises(ValueError, match="unrecognized: bogus, nope"):
        select(["bogus"], [], ["nope"])


def test_settings_from_each_kind_of_fixture_value() -> None:
    raw = {"file": "x.ini", "minimum_downgrade_revision": "abc", "before_revision_data": {"a": {}}}
    config = Config.from_raw_config(raw)
    assert config.config_options == {"file": "x.ini"}
    assert config.minimum_downgrade_revision == "abc" and raw["minimum_downgrade_revision"] == "abc"
    given = ProjectConfig()
    assert Config.from_raw_config(given).alembic_config is given
    assert Config.from_raw_config(config) is config
    with pytest.raises(TypeError, match="alembic_config fixture returned builtins.int"):
        Config.from_raw_config(3)


def _project(tmp_path: Path, revisions: dict[str, str]) -> ProjectConfig:
    Project(revisions, MODELS).write(tmp_path)
    config = ProjectConfig(str(tmp_path / "alembic.ini"))
    config.set_main_option("script_location", str(tmp_path / "migrations"))
    return config


def _chain(n: int) -> dict[str, str]:
    files = dict(CHAIN)
    for i in range(3, n + 1):
        files[f"{i:04d}_t.py"] = revision(
            f"{i:04d}", f"{i - 1:04d}",
            f'op.create_table("t{i}", sa.Column("id", sa.Integer, primary_key=True))',
            f'op.drop_table("t{i}")',
        )
    return files


def test_history_is_flattened_between_base_and_heads(tmp_path: Path, monkeypatch) -> None:
    config = _project(tmp_path, _chain(4))
    monkeypatch.syspath_prepend(str(tmp_path))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'h.db'}")
    with runner(Config(alembic_config=config), engine) as ctx:
        history: MigrationHistory = ctx.history
        assert history.revisions == ["base", "0001", "0002", "0003", "0004", "heads"]
        assert history.revision_window("0002", "heads") == [
            ("0002", "0003"), ("0003", "0004"), ("0004", "heads")]
        assert history.previous_revision("base") is None and history.next_revision("head") is None
        with pytest.raises(ValueError, match="Revision nope is not a valid revision"):
            history.validate_revision("nope")


def test_a_walk_runs_env_py_once_and_names_a_failing_step(tmp_path: Path, monkeypatch) -> None:
    files = _chain(6)
    files["0005_t.py"] = revision(
        "0005", "0004", 'op.create_table("t5", sa.Column("id", sa.Integer, primary_key=True))',
        'op.execute("DROP TABLE no_such_table")',
    )
    config = _project(tmp_path, files)
    monkeypatch.syspath_prepend(str(tmp_path))
    runs = []
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text("import builtins\nbuiltins._env_runs.append(1)\n" + env_py.read_text())
    monkeypatch.setattr("builtins._env_runs", runs, raising=False)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with runner(Config(alembic_config=config), engine) as ctx:
        assert ctx.migrate_up_to("heads") == "0006"
        assert len(runs) == 1  # six revisions, one run of env.py
        with engine.connect() as conn:
            assert {"t3", "t4", "t5", "t6"} <= set(sa.inspect(conn).get_table_names())
        with pytest.raises(StepFailed) as failed:
            ctx.migrate_down_to("base")
    error = failed.value
    assert (error.direction, error.target, error.step_text) == (
        "downgrade", "0004", "downgrade 0005 -> 0004, step")
    assert "no_such_table" in str(error.cause)
    # SQLite rolled the whole downgrade back, and the walk was redone one target per run, as
    # pytest-alembic runs it: the database is left at the last target reached
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0005"


def test_seed_rows_are_written_in_the_same_run(tmp_path: Path, monkeypatch) -> None:
    config = _project(tmp_path, _chain(3))
    monkeypatch.syspath_prepend(str(tmp_path))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 's.db'}")
    settings = Config(
        alembic_config=config,
        before_revision_data={"0002": {"__tablename__": "account", "id": 7, "name": "x"}},
        at_revision_data={"0002": [{"__tablename__": "account", "id": 8, "name": "y",
                                    "email": "e"}]},
    )
    with runner(settings, engine) as ctx:
        ctx.migrate_up_to("heads")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, name, email FROM account ORDER BY id").all()
    assert [tuple(r) for r in rows] == [(7, "x", None), (8, "y", "e")]


def test_skipped_revisions_are_stamped_not_run(tmp_path: Path, monkeypatch) -> None:
    config = _project(tmp_path, _chain(4))
    monkeypatch.syspath_prepend(str(tmp_path))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'k.db'}")
    with runner(Config(alembic_config=config, skip_revisions=["0003"]), engine) as ctx:
        assert ctx.migrate_up_to("heads") == "0004"
        assert ctx.current == "0004"
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert "t4" in tables and "t3" not in tables


def test_pytest_alembic_names_are_served(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "from dbshift.cli.pytest_plugin import compat_names; compat_names.install()\n"
        "from pytest_alembic.config import Config\n"
        "from pytest_alembic import runner, create_alembic_fixture, MigrationContext\n"
        "from pytest_alembic.tests import test_upgrade\n"
        "from pytest_alembic.plugin.error import AlembicTestFailure\n"
        "from dbshift.cli.pytest_plugin import settings, failure, default_tests\n"
        "assert Config is settings.Config and AlembicTestFailure is failure.MigrationTestFailure\n"
        "assert test_upgrade is default_tests.test_upgrade\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_failure_text_lays_out_context_blocks() -> None:
    from dbshift.cli.pytest_plugin.failure import MigrationTestFailure

    text = str(MigrationTestFailure("Broke.", [("Failing Revision", "0002"), ("SQL", "a\nb")]))
    assert text == "Broke.\n\nFailing Revision:\n    0002\n\nSQL:\n    a\n    b"
    assert isinstance(MigrationTestFailure("x"), AssertionError)
