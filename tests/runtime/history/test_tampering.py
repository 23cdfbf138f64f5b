"""An applied revision's file changed: upgrade and downgrade stop before running anything,
unless ``--allow-changed`` (one run) or ``verify --accept``."""

from __future__ import annotations

from history_project import Project


def _applied_chain(project: Project) -> None:
    project.revision("r1", ['op.create_table("t1", sa.Column("id", sa.Integer, primary_key=True))'],
                     ['op.drop_table("t1")'])
    project.revision("r2", ['op.create_table("t2", sa.Column("id", sa.Integer, primary_key=True))'],
                     ['op.drop_table("t2")'])
    assert project.run("upgrade", "head").status == 0
    project.revision("r3", ['op.create_table("t3", sa.Column("id", sa.Integer, primary_key=True))'])


def test_edited_file_stops_upgrade_naming_file_and_revision(project: Project) -> None:
    _applied_chain(project)
    path = project.path("r1")
    path.write_text(path.read_text().replace('"t1"', '"t1_renamed"'))
    rows_before = len(project.history())
    run = project.run("upgrade", "head")
    assert run.status == 1
    assert run.err.strip().splitlines() == [
        "FAILED: Applied revision file(s) changed since they were recorded in "
        f"alembic_version_history: {path} (revision r1). Nothing was run; restore them, or run "
        "with --allow-changed (this run only), or record the files as they are with "
        "`dbshift verify --accept REV`"
    ]
    assert "t3" not in project.tables()
    assert project.versions_rows() == ["r2"]
    assert len(project.history()) == rows_before
    # downgrade too
    assert project.run("downgrade", "-1").status == 1
    assert "t2" in project.tables()


def test_crlf_only_change_is_not_a_change(project: Project) -> None:
    _applied_chain(project)
    path = project.path("r1")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert project.run("verify").status == 0
    assert project.run("upgrade", "head").status == 0
    assert project.versions_rows() == ["r3"]


def test_whitespace_only_change_is_not_a_change(project: Project) -> None:
    _applied_chain(project)
    path = project.path("r2")
    path.write_text(path.read_text().replace("\n", "   \n") + "\n\n")
    assert project.run("verify").status == 0
    assert project.run("upgrade", "head").status == 0


def test_allow_changed_goes_on_for_one_run(project: Project) -> None:
    _applied_chain(project)
    path = project.path("r1")
    path.write_text(path.read_text() + "# edited after it ran\n")
    assert project.run("upgrade", "+1", "--allow-changed").status == 0
    assert project.versions_rows() == ["r3"]
    # the next run still sees the change
    assert project.run("downgrade", "-1").status == 1
    assert project.run("verify").status == 1


def test_verify_accept_records_the_new_checksum_in_history(project: Project) -> None:
    _applied_chain(project)
    path = project.path("r1")
    path.write_text(path.read_text() + "# edited after it ran\n")
    verify = project.run("verify")
    assert verify.status == 1
    assert "r1" in verify.out and "CHANGED" in verify.out
    assert verify.err.startswith("FAILED: 1 applied revision file(s) differ")
    accepted = project.run("verify", "--accept", "r1")
    assert accepted.status == 0, accepted.err
    last = project.history()[-1]
    assert (last["revision"], last["direction"], last["outcome"]) == ("r1", "accept", "accepted")
    assert project.run("verify").status == 0
    assert project.run("upgrade", "head").status == 0


def test_verify_accept_of_unknown_or_unapplied_revision_changes_nothing(project: Project) -> None:
    _applied_chain(project)
    before = project.history()
    unknown = project.run("verify", "--accept", "nope")
    assert unknown.status == 1
    assert unknown.err.strip().splitlines() == [
        "FAILED: verify --accept nope: no such revision in the script directory; nothing was "
        "changed"
    ]
    unapplied = project.run("verify", "--accept", "r3")
    assert unapplied.status == 1
    assert unapplied.err.strip().splitlines() == [
        "FAILED: verify --accept r3: revision r3 is not applied (database at r2); nothing was "
        "changed"
    ]
    assert project.history() == before


def test_revision_file_deleted_after_it_was_applied(project: Project) -> None:
    """The head's file is gone: one line naming the revision, nothing changed."""
    _applied_chain(project)
    project.path("r3").unlink()
    project.path("r2").unlink()
    before = project.history()
    run = project.run("upgrade", "head")
    assert run.status == 1
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and "r2" in lines[0], run.err
    verify = project.run("verify")
    assert verify.status == 1 and "r2" in verify.err and len(verify.err.strip().splitlines()) == 1
    assert project.history() == before
    assert project.versions_rows() == ["r2"]
