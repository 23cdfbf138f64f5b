"""``--json`` of current, heads, history, check, verify and the upgrade/downgrade summary: one
JSON document on stdout with the keys the README documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from history_project import ENV_PY, Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    found = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    found.revision("r1", ['op.create_table("t1", sa.Column("id", sa.Integer, primary_key=True))'],
                   ['op.drop_table("t1")'], doc="first")
    found.revision("r2", ['op.create_table("t2", sa.Column("id", sa.Integer, primary_key=True))'],
                   ['op.drop_table("t2")'], doc="second")
    return found


def test_upgrade_and_downgrade_summary(project: Project) -> None:
    run = project.run("upgrade", "head", "--json")
    assert run.status == 0
    doc = run.json()
    assert doc["dbshift_json"] == 1 and doc["command"] == "upgrade" and doc["ok"] is True
    assert doc["heads"] == ["r2"]
    assert [(s["revision"], s["direction"], s["from"], s["to"], s["doc"]) for s in doc["steps"]] == [
        ("r1", "upgrade", [], ["r1"], "first"), ("r2", "upgrade", ["r1"], ["r2"], "second"),
    ]
    assert all(isinstance(s["seconds"], float) for s in doc["steps"])
    assert doc["error"] is None and doc["failed_step"] is None
    down = project.run("downgrade", "base", "--json").json()
    assert down["command"] == "downgrade" and down["heads"] == []
    assert [s["direction"] for s in down["steps"]] == ["downgrade", "downgrade"]


def test_failed_upgrade_summary(project: Project) -> None:
    project.revision("r3", ['op.execute("INSERT INTO nowhere VALUES (1)")'], doc="bad")
    run = project.run("upgrade", "head", "--json")
    assert run.status == 1
    doc = run.json()
    assert doc["ok"] is False and "nowhere" in doc["error"]
    assert doc["failed_step"]["revision"] == "r3"
    assert doc["rolled_back"] is True
    assert doc["heads"] == []  # SQLite: the run's one transaction rolled back
    assert run.err.startswith("FAILED") or "FAILED" in run.err


def test_current_heads_history(project: Project) -> None:
    project.run("upgrade", "r1")
    current = project.run("current", "--json").json()
    assert current["command"] == "current" and current["heads"] == ["r1"]
    assert current["revisions"][0]["revision"] == "r1" and current["partial"] == []
    heads = project.run("heads", "--json").json()
    assert [h["revision"] for h in heads["heads"]] == ["r2"]
    assert heads["heads"][0]["is_head"] is True and heads["heads"][0]["down_revisions"] == ["r1"]
    history = project.run("history", "--json").json()
    assert [r["revision"] for r in history["revisions"]] == ["r2", "r1"]
    marked = project.run("history", "-i", "--json").json()
    assert [(r["revision"], r["is_current"]) for r in marked["revisions"]] == [
        ("r2", False), ("r1", True),
    ]
    applied = project.run("history", "--applied", "--json").json()
    assert applied["applied"] is True and applied["table"] == "alembic_version_history"
    assert set(applied["rows"][0]) == {
        "id", "revision", "direction", "outcome", "started_at", "finished_at", "duration_ms",
        "checksum", "applied_by", "host", "dbshift_version", "detail",
    }
    assert applied["rows"][0]["started_at"].endswith("Z")


def test_verify(project: Project) -> None:
    project.run("upgrade", "head")
    doc = project.run("verify", "--json").json()
    assert doc["command"] == "verify" and doc["ok"] is True and doc["accepted"] is None
    assert [(r["revision"], r["status"]) for r in doc["revisions"]] == [("r1", "ok"), ("r2", "ok")]
    project.path("r1").write_text(project.path("r1").read_text() + "# edited\n")
    run = project.run("verify", "--json")
    assert run.status == 1
    changed = run.json()["revisions"][0]
    assert changed["status"] == "changed"
    assert changed["recorded_checksum"] != changed["file_checksum"]


def test_check(project: Project) -> None:
    env = project.root / "migrations" / "env.py"
    env.write_text(ENV_PY.replace(
        "context.configure(connection=connection)",
        "import sqlalchemy as sa\n"
        "    meta = sa.MetaData()\n"
        "    sa.Table('t1', meta, sa.Column('id', sa.Integer, primary_key=True))\n"
        "    sa.Table('t2', meta, sa.Column('id', sa.Integer, primary_key=True))\n"
        "    context.configure(connection=connection, target_metadata=meta)",
    ))
    project.run("upgrade", "head")
    clean = project.run("check", "--json")
    assert clean.status == 0
    assert clean.json() == {"dbshift_json": 1, "command": "check", "ok": True, "diffs": []}
    env.write_text(env.read_text().replace(
        "    context.configure(", "    sa.Table('t3', meta, sa.Column('id', sa.Integer))\n"
        "    context.configure(",
    ))
    dirty = project.run("check", "--json")
    assert dirty.status == 1
    doc = dirty.json()
    assert doc["ok"] is False and [d["kind"] for d in doc["diffs"]] == ["add_table"]
