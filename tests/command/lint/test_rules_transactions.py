"""Rules on the migration's transaction and on raw SQL."""

from __future__ import annotations

from .conftest import TABLE_T, by_rule, line_of, lint_body, rules


def test_missing_lock_timeout_reports_the_first_statement_with_the_count(project):
    found = lint_body(
        project,
        """
        op.create_index("ix_t_c", "t", ["c"])
        op.add_column("t", sa.Column("a", sa.Integer))
        op.drop_column("t", "a")
        """,
        setup=TABLE_T,
    )
    [finding] = by_rule(found, "missing-lock-timeout")
    assert finding.line == line_of(project, "r1body", "op.add_column")
    assert "ADD COLUMN takes an ACCESS EXCLUSIVE lock on t" in finding.message
    assert "1 more" in finding.message
    assert finding.severity == "warning"


def test_lock_timeout_set_by_the_revision(project):
    found = lint_body(
        project,
        """
        op.execute("SET lock_timeout = '2s'")
        op.add_column("t", sa.Column("a", sa.Integer))
        """,
        setup=TABLE_T,
    )
    assert "missing-lock-timeout" not in rules(found)


def test_set_local_lock_timeout_ends_with_the_transaction(project):
    found = lint_body(
        project,
        """
        op.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
        op.add_column("t", sa.Column("a", sa.Integer))
        with op.get_context().autocommit_block():
            op.create_index("ix", "t", ["a"], postgresql_concurrently=True)
        op.drop_column("t", "a")
        """,
        setup=TABLE_T,
    )
    [finding] = by_rule(found, "missing-lock-timeout")
    assert finding.line == line_of(project, "r1body", "op.drop_column")


def test_lock_timeout_configured_for_dbshift(project):
    project.add_ini("lock_timeout = 5s\n")
    found = lint_body(project, 'op.add_column("t", sa.Column("a", sa.Integer))', setup=TABLE_T)
    assert "missing-lock-timeout" not in rules(found)


def test_no_lock_timeout_needed_for_new_tables_or_other_databases(project):
    found = lint_body(project, f'{TABLE_T}\nop.add_column("t", sa.Column("a", sa.Integer))')
    assert rules(found) == []
    mysql = project.lint("r1body", dialect="mysql")
    assert "missing-lock-timeout" not in rules(mysql)


def test_raw_sql_is_read_as_the_operations_it_stands_for(project):
    found = lint_body(
        project,
        """
        op.execute("CREATE INDEX ix_t_c ON t (c)")
        op.execute(sa.text('ALTER TABLE t ADD COLUMN "n" integer NOT NULL, ALTER COLUMN c SET NOT NULL'))
        op.execute("CREATE INDEX CONCURRENTLY ix_t_n ON t (n); REINDEX INDEX CONCURRENTLY ix_t_n")
        op.execute("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (n) REFERENCES other (id) NOT VALID")
        op.execute("ALTER TABLE t VALIDATE CONSTRAINT fk")
        """,
        setup=TABLE_T,
    )
    line = lambda text: line_of(project, "r1body", text)  # noqa: E731
    assert [(f.rule, f.line) for f in found if f.rule != "missing-lock-timeout"] == [
        ("blocking-index-creation", line("CREATE INDEX ix_t_c")),
        ("not-null-column-without-default", line("ALTER TABLE t ADD COLUMN")),
        ("set-not-null-scans-table", line("ALTER TABLE t ADD COLUMN")),
        ("concurrently-inside-transaction", line("CONCURRENTLY ix_t_n")),
        ("concurrently-inside-transaction", line("CONCURRENTLY ix_t_n")),
        ("foreign-key-validates-under-lock", line("VALIDATE CONSTRAINT")),
    ]


def test_raw_sql_not_analysed(project):
    found = lint_body(
        project,
        """
        op.execute("DO $$ BEGIN PERFORM 1; END $$")
        op.execute("UPDATE t SET c = 'x' WHERE c IS NULL")
        op.execute("GRANT SELECT ON t TO reader")
        op.execute(sa.table("t", sa.column("c")).update().values(c="y"))
        """,
        setup=TABLE_T,
    )
    [finding] = by_rule(found, "raw-sql-not-analysed")
    assert finding.severity == "info"
    assert finding.line == line_of(project, "r1body", "DO $$")
    assert "DO $$ BEGIN PERFORM 1; END $$" in finding.message


def test_batch_rebuild_on_sqlite(project):
    found = lint_body(
        project,
        """
        with op.batch_alter_table("t") as batch_op:
            batch_op.add_column(sa.Column("plain", sa.Integer))
        with op.batch_alter_table("t") as batch_op:
            batch_op.alter_column("c", type_=sa.Integer, existing_type=sa.String(20))
        """,
        setup=TABLE_T,
        dialect="sqlite",
    )
    [finding] = by_rule(found, "batch-rebuilds-table")
    assert finding.line == line_of(project, "r1body", "batch_op.alter_column") - 1
    assert "SQLite cannot ALTER this in place" in finding.message


def test_batch_rebuild_of_a_new_table_and_on_postgresql(project):
    found = lint_body(
        project,
        f"""
        {TABLE_T}
        with op.batch_alter_table("t") as batch_op:
            batch_op.alter_column("c", type_=sa.Integer, existing_type=sa.String(20))
        """,
        dialect="sqlite",
    )
    assert rules(found) == []
    project.revision(
        "r2",
        """
        with op.batch_alter_table("t", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("z", sa.Integer))
        with op.batch_alter_table("t") as batch_op:
            batch_op.create_index("ix_t_z", ["z"])
        """,
    )
    pg = project.lint("r2", dialect="postgresql")
    assert [f.rule for f in pg] == ["batch-rebuilds-table", "blocking-index-creation"]
