"""What autogenerate says while it compares: Alembic's ``Detected ...`` log lines under Alembic's
logger names, and a possible column rename as a warning and a comment in the file."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.autogenerate import compare_metadata, run_autogenerate
from dbshift.operations.ops import DowngradeOps, MigrationScript, UpgradeOps

from .conftest import configure


def _tables(md: sa.MetaData, last: sa.Column) -> None:
    sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(50), nullable=False), last)


@pytest.fixture
def sqlite_db(tmp_path: Any) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'logs.db'}", poolclass=sa.pool.NullPool)
    db = sa.MetaData()
    _tables(db, sa.Column("old", sa.String(20)))
    sa.Table("gone", db, sa.Column("id", sa.Integer, primary_key=True))
    with engine.begin() as conn:
        db.create_all(conn)
    return engine


def _generate(engine: sa.Engine, model: sa.MetaData) -> dict[str, Any]:
    with engine.connect() as conn:
        script = MigrationScript(None, UpgradeOps([]), DowngradeOps([]))
        return run_autogenerate(configure(conn, model), script)


def test_detected_lines_under_alembics_logger_names(
    sqlite_db: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    model = sa.MetaData()
    _tables(model, sa.Column("phone", sa.Integer))
    sa.Table("orders", model, sa.Column("id", sa.Integer, primary_key=True))
    model.tables["users"].c.name.nullable = True
    with caplog.at_level(logging.INFO, logger="alembic"):
        _generate(sqlite_db, model)
    lines = [(r.name, r.levelname, r.getMessage()) for r in caplog.records
             if r.name.startswith("alembic.autogenerate")]
    assert lines == [
        ("alembic.autogenerate.compare.tables", "INFO", "Detected added table 'orders'"),
        ("alembic.autogenerate.compare.tables", "INFO", "Detected removed table 'gone'"),
        ("alembic.autogenerate.compare.tables", "INFO", "Detected added column 'users.phone'"),
        ("alembic.autogenerate.compare.constraints", "INFO",
         "Detected NULL on column 'users.name'"),
        ("alembic.autogenerate.compare.tables", "INFO", "Detected removed column 'users.old'"),
    ]
    plugins = [r.getMessage() for r in caplog.records if r.name == "alembic.runtime.plugins"]
    assert plugins[:2] == [
        "setting up autogenerate plugin alembic.autogenerate.schemas",
        "setting up autogenerate plugin alembic.autogenerate.tables",
    ]


def test_a_drop_and_an_add_of_the_same_type_is_a_possible_rename(
    sqlite_db: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    model = sa.MetaData()
    _tables(model, sa.Column("phone", sa.String(20)))
    sa.Table("gone", model, sa.Column("id", sa.Integer, primary_key=True))
    with caplog.at_level(logging.INFO, logger="alembic"):
        template_args = _generate(sqlite_db, model)
    note = (
        "possible rename of column 'users.old' to 'users.phone' (same type): as generated, the "
        "column is dropped with its data; to keep the data use "
        "op.alter_column('users', 'old', new_column_name='phone')"
    )
    assert ("alembic.autogenerate.compare.tables", "WARNING", f"Detected {note}") in [
        (r.name, r.levelname, r.getMessage()) for r in caplog.records
    ]
    upgrades = template_args["upgrades"].splitlines()
    at = upgrades.index(f"    # {note}")
    assert "op.add_column('users'" in upgrades[at + 1]
    assert "op.drop_column('users', 'old')" in "\n".join(upgrades[at + 1:])
    # the ops stay a drop and an add, as Alembic writes them
    with sqlite_db.connect() as conn:
        kinds = [d[0] for d in compare_metadata(configure(conn, model), model)]
    assert kinds == ["add_column", "remove_column"]


def test_no_rename_note_when_the_types_differ(sqlite_db: sa.Engine) -> None:
    model = sa.MetaData()
    _tables(model, sa.Column("phone", sa.Integer))
    sa.Table("gone", model, sa.Column("id", sa.Integer, primary_key=True))
    assert "possible rename" not in _generate(sqlite_db, model)["upgrades"]
