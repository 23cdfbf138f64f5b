"""A database Alembic migrated: the first dbshift run records its revisions as ``adopted``."""

from __future__ import annotations

from dbshift.runtime.history.checksums import file_checksum
from history_project import Project


def test_alembic_migrated_database_is_adopted(project: Project) -> None:
    for n in (1, 2, 3):
        project.revision(
            f"r{n}", [f'op.create_table("t{n}", sa.Column("id", sa.Integer, primary_key=True))'],
            [f'op.drop_table("t{n}")'],
        )
    project.alembic("upgrade", "r2")
    assert project.tables() == ["alembic_version", "t1", "t2"]  # Alembic keeps no history
    verify = project.run("verify")
    assert verify.status == 0
    assert "no checksum recorded yet" in verify.out
    assert "alembic_version_history" not in project.tables()  # verify changed nothing

    assert project.run("upgrade", "head").status == 0
    rows = project.history()
    assert [(r["revision"], r["direction"], r["outcome"]) for r in rows] == [
        ("r1", "adopt", "adopted"), ("r2", "adopt", "adopted"), ("r3", "upgrade", "ok"),
    ]
    assert rows[0]["checksum"] == file_checksum(project.path("r1"))
    doc = project.run("verify", "--json").json()
    assert doc["ok"] is True
    assert [(r["revision"], r["status"]) for r in doc["revisions"]] == [
        ("r1", "ok"), ("r2", "ok"), ("r3", "ok"),
    ]
    # and Alembic still works on the same database
    project.alembic("downgrade", "r1")
    assert project.versions_rows() == ["r1"]
    assert "t2" not in project.tables()
