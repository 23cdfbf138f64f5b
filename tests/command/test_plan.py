"""``dbshift plan``: connected and read-only; statements with locks, effects and table sizes."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from dbshift import cli, command

from .scratch_project import LintProject

BASE = """
op.create_table("account", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(20)), sa.Column("n", sa.Integer))
"""

CHANGES = """
op.create_table("audit", sa.Column("id", sa.Integer, primary_key=True))
op.create_index("ix_audit_id", "audit", ["id"])
op.create_index("ix_account_name", "account", ["name"])
op.alter_column("account", "name", type_=sa.String(40), existing_type=sa.String(20))
op.alter_column("account", "n", type_=sa.BigInteger(), existing_type=sa.Integer())
op.alter_column("account", "name", nullable=False, existing_type=sa.String(40))
op.add_column("account", sa.Column("flag", sa.Integer, server_default="0"))
with op.get_context().autocommit_block():
    op.create_index("ix_account_n", "account", ["n"], postgresql_concurrently=True)
count = op.get_bind().execute(sa.text("SELECT count(*) FROM account")).scalar()
op.execute(f"UPDATE account SET n = {count}")
"""


@pytest.fixture
def pg_project(scratch_project: LintProject, pg_engine: sa.Engine) -> LintProject:
    project = scratch_project
    project.set_url(pg_engine.url.render_as_string(hide_password=False))
    project.revision("a1", BASE)
    project.revision("b2", CHANGES)
    command.upgrade(project.config(), "a1")
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO account (name, n) SELECT 'n' || g, g FROM generate_series(1, 2000) g"
        )
        conn.exec_driver_sql("ANALYZE account")
    return project


def _snapshot(engine: sa.Engine) -> dict:
    insp = sa.inspect(engine)
    with engine.connect() as conn:
        versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
        rows = conn.exec_driver_sql("SELECT count(*), sum(n) FROM account").one()
    return {
        "tables": {
            t: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)],
                sorted(i["name"] for i in insp.get_indexes(t)),
            )
            for t in insp.get_table_names()
        },
        "versions": versions,
        "rows": tuple(rows),
    }


def test_plan_on_postgresql(pg_project, pg_engine):
    before = _snapshot(pg_engine)
    result = command.plan(pg_project.config(), output_format="json")
    assert _snapshot(pg_engine) == before
    assert result["dialect"] == "postgresql" and result["current_heads"] == ["a1"]
    [step] = result["steps"]
    assert step["revision"] == "b2" and step["note"] is None
    shown = [
        (s["kind"], s["lock"], s["effect"], [(t["name"], t["rows"], t["new"]) for t in s["tables"]],
         s["outside_transaction"])
        for s in step["statements"]
    ]
    account = [("account", 2000, False)]
    assert shown == [
        ("create_table", "ACCESS EXCLUSIVE", "metadata", [("audit", None, True)], False),
        ("create_index", "SHARE", "scan", [("audit", None, True)], False),
        ("create_index", "SHARE", "scan", account, False),
        ("alter_column_type", "ACCESS EXCLUSIVE", "metadata", account, False),
        ("alter_column_type", "ACCESS EXCLUSIVE", "rewrite", account, False),
        ("set_not_null", "ACCESS EXCLUSIVE", "scan", account, False),
        ("add_column", "ACCESS EXCLUSIVE", "metadata", account, False),
        ("create_index_concurrently", "SHARE UPDATE EXCLUSIVE", "scan", account, True),
        ("update", "ROW EXCLUSIVE", "rows", account, False),
    ]
    assert step["statements"][0]["blocks"] == "nothing: new table"
    assert step["statements"][2]["blocks"] == "writes"
    assert step["statements"][2]["sql"] == "CREATE INDEX ix_account_name ON account (name)"
    assert step["statements"][-1]["sql"] == "UPDATE account SET n = 2000"  # read the database
    size = step["statements"][2]["tables"][0]["bytes"]
    assert size is not None and size > 8192
    rules = [f["rule"] for f in step["findings"]]
    assert rules == [
        "blocking-index-creation", "missing-lock-timeout", "column-type-rewrites-table",
        "set-not-null-scans-table",
    ]


def test_plan_text_and_cli(pg_project, capsys):
    capsys.readouterr()
    cli.main(["-c", str(pg_project.root / "alembic.ini"), "plan"])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Plan for postgresql {_version(pg_project)}: 1 step(s) from a1 to heads"
    assert out[1] == "upgrade a1 -> b2, step (migrations/versions/b2_step.py)"
    index = out.index("  CREATE INDEX ix_account_name ON account (name)")
    assert out[index + 1].startswith("    SHARE lock (blocks writes); scan; account: ~2,000 rows, ")
    assert any(line.startswith("  lint: migrations/versions/b2_step.py:") for line in out)
    cli.main(["-c", str(pg_project.root / "alembic.ini"), "plan", "a1", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["steps"] == []


def _version(project):
    engine = sa.create_engine(project.url)
    with engine.connect() as conn:
        version = ".".join(str(p) for p in conn.dialect.server_version_info)
    engine.dispose()
    return version


def test_plan_with_a_read_only_rerun_of_a_revision_that_writes(pg_project, pg_engine):
    pg_project.revision(
        "c3",
        'op.get_bind().execute(sa.text("UPDATE account SET n = 0"))\nop.drop_column("account", "n")',
    )
    before = _snapshot(pg_engine)
    result = command.plan(pg_project.config(), output_format="json")
    assert _snapshot(pg_engine) == before
    last = result["steps"][-1]
    assert "read-only transaction" in last["note"]
    assert [f["rule"] for f in last["findings"]] == ["needs-connection"]


def test_plan_on_mariadb(scratch_project, mariadb_engine):
    project = scratch_project
    project.set_url(mariadb_engine.url.render_as_string(hide_password=False))
    project.revision("a1", BASE)
    project.revision(
        "b2",
        """
        op.create_index("ix_account_name", "account", ["name"])
        op.alter_column("account", "name", type_=sa.String(40), existing_type=sa.String(20))
        op.alter_column("account", "n", type_=sa.BigInteger(), existing_type=sa.Integer())
        op.add_column("account", sa.Column("flag", sa.Integer))
        op.create_foreign_key("fk_self", "account", "account", ["n"], ["id"])
        """,
    )
    command.upgrade(project.config(), "a1")
    with mariadb_engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO account (name, n) VALUES ('a', 1), ('b', 2)")
        conn.exec_driver_sql("ANALYZE TABLE account")
    result = command.plan(project.config(), output_format="json")
    [step] = result["steps"]
    assert result["dialect"] == "mariadb"
    assert [(s["kind"], s["algorithm"]) for s in step["statements"]] == [
        ("create_index", "INPLACE"),
        ("modify_column", "INPLACE"),
        ("modify_column", "COPY"),
        ("add_column", "INSTANT"),
        ("add_foreign_key", "COPY"),
    ]
    table = step["statements"][0]["tables"][0]
    assert (table["name"], table["rows"], table["new"]) == ("account", 2, False)
    assert table["bytes"] > 0
    assert {f["rule"] for f in step["findings"]} == {
        "column-type-rewrites-table", "foreign-key-validates-under-lock"
    }


def test_plan_on_sqlite_counts_rows(scratch_project):
    project = scratch_project
    project.revision("a1", BASE)
    project.revision("b2", 'op.create_index("ix_account_name", "account", ["name"])')
    command.upgrade(project.config(), "a1")
    engine = sa.create_engine(project.url)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO account (name, n) VALUES ('a', 1), ('b', 2), ('c', 3)")
    engine.dispose()
    result = command.plan(project.config(), output_format="json")
    [statement] = result["steps"][0]["statements"]
    assert statement["tables"][0]["rows"] == 3
    assert statement["lock"] is None and statement["algorithm"] is None
