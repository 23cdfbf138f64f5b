"""``dbshift trace``: the locks each statement takes on PostgreSQL, and a database left as it was."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dbshift import cli, command
from dbshift.ddl.postgresql_locks import statement_lock
from dbshift.ddl.statement_kinds import classify_sql
from dbshift.util.exc import CommandError

BASE = """
for name in ("t_idx", "t_add", "t_chk", "t_uq", "t_type", "t_nn", "t_ren", "t_drop", "t_fk", "t_ref", "t_valid", "t_cmt"):
    op.create_table(name, sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.Integer))
    op.execute(f"INSERT INTO {name} (v) SELECT g FROM generate_series(1, 50) g")
op.execute("ALTER TABLE t_valid ADD CONSTRAINT ck_valid CHECK (v > 0) NOT VALID")
"""

# one table per statement, so that each table's first lock comes from that statement
CHANGES = """
op.create_index("ix_t_idx_v", "t_idx", ["v"])
op.add_column("t_add", sa.Column("w", sa.Integer))
op.create_check_constraint("ck_t_chk", "t_chk", "v > 0")
op.create_unique_constraint("uq_t_uq", "t_uq", ["v"])
op.alter_column("t_type", "v", type_=sa.BigInteger(), existing_type=sa.Integer())
op.alter_column("t_nn", "v", nullable=False)
op.rename_table("t_ren", "t_renamed")
op.create_foreign_key("fk_t_fk", "t_fk", "t_ref", ["v"], ["id"], postgresql_not_valid=True)
op.validate_constraint("ck_valid", "t_valid")
op.create_table_comment("t_cmt", "a comment")
op.create_table("t_new", sa.Column("id", sa.Integer, primary_key=True))
with op.get_context().autocommit_block():
    op.create_index("ix_t_drop_v", "t_drop", ["v"], postgresql_concurrently=True)
op.add_enum_value("mood", "fine")
op.drop_table("t_drop")
"""


@pytest.fixture
def pg_project(scratch_project, pg_engine):
    project = scratch_project
    project.set_url(pg_engine.url.render_as_string(hide_password=False))
    project.revision("a1", BASE)
    project.revision("b2", CHANGES)
    command.upgrade(project.config(), "a1")
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TYPE mood AS ENUM ('sad')")
    return project


def _schema(engine):
    insp = sa.inspect(engine)
    with engine.connect() as conn:
        versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
        relations = conn.exec_driver_sql(
            "SELECT c.relname, c.relkind, c.relfilenode FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1"
        ).all()
        constraints = conn.exec_driver_sql(
            "SELECT conname, convalidated FROM pg_constraint c JOIN pg_namespace n "
            "ON n.oid = c.connamespace WHERE n.nspname = 'public' ORDER BY 1"
        ).all()
        labels = conn.exec_driver_sql("SELECT enum_range(NULL::mood)::text").scalar()
    return {
        "columns": {t: [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)]
                    for t in insp.get_table_names()},
        "relations": relations,
        "constraints": constraints,
        "versions": versions,
        "labels": labels,
    }


def test_trace_takes_the_predicted_locks_and_rolls_back(pg_project, pg_engine):
    before = _schema(pg_engine)
    result = command.trace(pg_project.config(), output_format="json")
    assert _schema(pg_engine) == before
    assert result["rolled_back"] is True and result["error"] is None
    assert result["current_heads"] == ["a1"]
    statements = [s for s in result["statements"] if s["revision"] == "b2"]
    checked = 0
    for statement in statements:
        [action] = classify_sql(statement["sql"])
        taken = {
            lock["mode"] for lock in statement["locks_taken"]
            if lock["relation"] in (action.table, action.new_name) and lock["kind"] == "table"
        }
        expected = statement_lock(action.kind).mode
        if action.table in ("t_drop", "t_new"):
            continue
        assert expected in taken, (statement["sql"], taken)
        checked += 1
    assert checked == 10
    not_traced = [(n["sql"], n["reason"]) for n in result["not_traced"]]
    assert not_traced == [
        ("CREATE INDEX CONCURRENTLY ix_t_drop_v ON t_drop (v)",
         "runs outside the transaction (autocommit_block)"),
        ("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'fine'", "runs outside the transaction (ADD VALUE)"),
    ]
    summary = {row["relation"]: row for row in result["summary"]}
    assert summary["t_idx"]["mode"] == "SHARE"
    assert summary["t_valid"]["mode"] == "SHARE UPDATE EXCLUSIVE"
    assert summary["t_add"]["mode"] == "ACCESS EXCLUSIVE" and not summary["t_add"]["new"]
    assert summary["t_new"]["new"] is True
    assert summary["t_ref"]["mode"] == "SHARE ROW EXCLUSIVE"
    # the earliest lock is held longest: until the end of the one transaction
    assert summary["t_idx"]["held_seconds"] >= summary["t_cmt"]["held_seconds"] > 0
    assert result["summary"][0]["mode"] == "ACCESS EXCLUSIVE"


def test_trace_text_output(pg_project, capsys):
    capsys.readouterr()
    cli.main(["-c", str(pg_project.root / "alembic.ini"), "trace"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Trace on postgresql ")
    assert out[0].endswith(": 1 step(s) from a1 to heads, in one transaction, rolled back")
    index = next(i for i, line in enumerate(out) if "CREATE INDEX ix_t_idx_v ON t_idx (v)" in line)
    assert "      + SHARE on public.t_idx (table)" in out[index + 1 : index + 4]
    assert any(line.startswith("  [not traced: runs outside the transaction (autocommit_block)] "
                               "CREATE INDEX CONCURRENTLY") for line in out)
    assert "Strongest lock per table, held until the end of the transaction:" in out
    assert out[-1] == "Rolled back: the schema and the version table are as they were."


def test_a_failing_statement_stops_the_trace_and_still_rolls_back(pg_project, pg_engine):
    pg_project.revision("c3", 'op.add_column("t_idx", sa.Column("x", sa.Integer))\nop.drop_table("no_such_table")')
    before = _schema(pg_engine)
    result = command.trace(pg_project.config(), output_format="json")
    assert _schema(pg_engine) == before
    assert result["error"]["revision"] == "c3"
    assert "no_such_table" in result["error"]["message"]


def test_trace_through_a_url(pg_project, pg_engine):
    before = _schema(pg_engine)
    result = command.trace(
        pg_project.config(), url=pg_engine.url.render_as_string(hide_password=False),
        output_format="json",
    )
    assert _schema(pg_engine) == before
    assert any(s["sql"].startswith("CREATE INDEX ix_t_idx_v") for s in result["statements"])


def test_trace_needs_postgresql(scratch_project):
    scratch_project.revision("a1", 'op.create_table("t", sa.Column("id", sa.Integer))')
    with pytest.raises(CommandError, match="trace reads pg_locks and needs PostgreSQL, not sqlite"):
        command.trace(scratch_project.config())
