"""Recording mode: what a revision's upgrade() is recorded as, without a database."""

from __future__ import annotations

import os

from sqlalchemy.engine import make_url

from dbshift.command.lint.recording import record_revision
from dbshift.operations import ops
from dbshift.script import ScriptDirectory

from .conftest import TABLE_T, line_of, lint_body, rules


def _record(project, rev, **kw):
    script = ScriptDirectory(str(project.root / "migrations"))
    dialect = make_url("postgresql://").get_dialect()()
    return record_revision(script.get_revision(rev), dialect, script=script, **kw)


def test_ops_are_recorded_with_their_line_block_and_transaction(project):
    project.revision(
        "r1",
        """
        t = op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
        op.bulk_insert(t, [{"id": 1}])
        with op.get_context().autocommit_block():
            op.create_index("ix", "t", ["id"], postgresql_concurrently=True)
        with op.batch_alter_table("t") as batch_op:
            batch_op.add_column(sa.Column("x", sa.Integer))
        op.add_enum_value("mood", "x")
        op.execute("COMMIT")
        op.drop_table("t")
        """,
    )
    recording = _record(project, "r1")
    assert recording.failure is None and recording.needs_connection is None
    found = [
        (type(r.op).__name__, r.line, r.autocommit, r.segment, r.batch is not None)
        for r in recording.ops
    ]
    line = lambda text: line_of(project, "r1", text)  # noqa: E731
    assert found == [
        ("CreateTableOp", line("op.create_table"), False, 0, False),
        ("BulkInsertOp", line("op.bulk_insert"), False, 0, False),
        ("CreateIndexOp", line("op.create_index"), True, 1, False),
        ("AddColumnOp", line("batch_op.add_column"), False, 2, True),
        ("AddEnumValueOp", line("op.add_enum_value"), False, 2, False),
        ("ExecuteSQLOp", line('op.execute("COMMIT")'), False, 3, False),
        ("DropTableOp", line("op.drop_table"), False, 4, False),
    ]
    assert recording.batches[0].table_name == "t"
    assert recording.batches[0].line == line("op.batch_alter_table")
    assert recording.path == os.path.abspath(project.versions / "r1_step.py")


def test_nothing_is_compiled_unless_asked_and_compiled_when_asked(project):
    project.revision("r1", 'op.add_column("t", sa.Column("x", sa.Integer))')
    assert _record(project, "r1").ops[0].statements == []
    compiled = _record(project, "r1", compile_sql=True)
    assert compiled.ops[0].statements == ["ALTER TABLE t ADD COLUMN x INTEGER"]


def test_a_revision_that_reads_the_database_needs_a_connection(project):
    project.revision(
        "r1",
        """
        op.add_column("t", sa.Column("x", sa.Integer))
        bind = op.get_bind()
        if bind.dialect.name == "postgresql":
            op.create_index("ix_t_x", "t", ["x"])
        count = bind.execute(sa.text("SELECT count(*) FROM t")).scalar()
        op.drop_column("t", "y")
        """,
    )
    recording = _record(project, "r1")
    assert [type(r.op) for r in recording.ops] == [ops.AddColumnOp, ops.CreateIndexOp]
    assert recording.needs_connection == "the revision uses op.get_bind().execute()"
    assert recording.needs_connection_line == line_of(project, "r1", "bind = op.get_bind()")


def test_inspecting_the_bind_needs_a_connection(project):
    project.revision("r1", 'names = sa.inspect(op.get_bind()).get_table_names()')
    recording = _record(project, "r1")
    assert recording.needs_connection is not None
    assert recording.ops == []


def test_needs_connection_and_failures_are_findings(project):
    found = lint_body(
        project,
        """
        op.create_index("ix_t_c", "t", ["c"])
        rows = op.get_bind().execute(sa.text("SELECT 1")).all()
        """,
        setup=TABLE_T,
    )
    assert rules(found) == ["blocking-index-creation", "needs-connection"]
    assert found[1].severity == "info"
    project.revision("r2", 'op.add_column("t", sa.Column("x", sa.Integer))\nraise ValueError("boom")')
    failed = project.lint("r2", dialect="postgresql")
    assert [(f.rule, f.line) for f in failed if f.rule != "missing-lock-timeout"] == [
        ("recording-failed", line_of(project, "r2", "raise ValueError"))
    ]
    assert "ValueError: boom" in failed[-1].message


def test_the_context_module_works_in_recording_mode(project):
    project.revision(
        "r1",
        """
        from alembic import context
        if context.is_offline_mode():
            op.create_index("ix_t_c", "t", ["c"])
        context.execute("DROP INDEX ix_old")
        """,
    )
    recording = _record(project, "r1")
    assert [type(r.op) for r in recording.ops] == [ops.CreateIndexOp, ops.ExecuteSQLOp]


def test_the_op_proxy_is_restored_after_recording(project):
    from dbshift import op
    from dbshift.util.exc import NoActiveContext

    project.revision("r1", 'op.drop_table("t")')
    _record(project, "r1")
    try:
        op.drop_table("t")
    except NoActiveContext:
        pass
    else:  # pragma: no cover
        raise AssertionError("op still proxies the recording operations")


def test_libraries_probing_the_stand_in_see_no_attribute(project):
    project.revision(
        "r1",
        """
        bind = op.get_bind()
        assert not hasattr(bind, "_sa_instance_state")
        op.drop_table("t")
        with sa.orm.Session(bind=bind) as session:
            session.execute(sa.text("SELECT 1"))
        """,
    )
    recording = _record(project, "r1")
    assert [type(r.op) for r in recording.ops] == [ops.DropTableOp]
    assert recording.needs_connection is not None
    assert recording.needs_connection_line == line_of(project, "r1", "bind = op.get_bind()")


def test_inspecting_the_stand_in_says_so(project):
    project.revision("r1", 'sa.inspect(op.get_bind()).get_table_names()')
    assert _record(project, "r1").needs_connection == (
        "the revision inspects the database: sqlalchemy.inspect(op.get_bind())"
    )


def test_a_revision_that_refuses_offline_mode_needs_a_connection(project):
    project.revision(
        "r1",
        """
        from alembic import context
        op.drop_table("t")
        if context.is_offline_mode():
            raise RuntimeError("run me online")
        """,
    )
    recording = _record(project, "r1")
    assert recording.failure is None
    assert recording.needs_connection == "it refuses to run offline: RuntimeError: run me online"
    assert recording.needs_connection_line == line_of(project, "r1", "raise RuntimeError")


def test_a_revision_that_checks_as_sql_and_refuses_needs_a_connection(project):
    project.revision(
        "r1",
        """
        if op.get_context().as_sql:
            raise RuntimeError("requires an online migration")
        """,
    )
    recording = _record(project, "r1")
    assert recording.needs_connection == (
        "it refuses to run offline: RuntimeError: requires an online migration"
    )


def test_a_multi_database_revision_is_recorded_for_each_engine(project):
    path = project.revision("r1", "pass")
    path.write_text(
        path.read_text().replace(
            "def upgrade():\n    pass\n",
            "def upgrade(engine_name):\n    globals()[f'upgrade_{engine_name}']()\n\n\n"
            "def upgrade_engine1():\n    op.drop_table('a')\n\n\n"
            "def upgrade_engine2():\n    op.drop_table('b')\n",
        )
    )
    recording = _record(project, "r1")
    assert recording.failure is None
    assert [r.op.table_name for r in recording.ops] == ["a", "b"]
