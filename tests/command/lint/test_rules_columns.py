"""Rules on column operations, on positive and negative cases."""

from __future__ import annotations

from .conftest import TABLE_T, by_rule, line_of, lint_body, rules


def test_not_null_column_without_default_on_an_existing_table(project):
    found = lint_body(
        project,
        'op.add_column("t", sa.Column("n", sa.Integer, nullable=False))',
        setup=TABLE_T,
    )
    [finding] = by_rule(found, "not-null-column-without-default")
    assert finding.severity == "error"
    assert finding.line == line_of(project, "r1body", 'op.add_column("t"')
    assert "fails as soon as the table has a row" in finding.message
    assert finding.path.endswith("r1body_step.py")


def test_not_null_column_on_a_table_created_in_the_same_revision(project):
    found = lint_body(
        project,
        f'{TABLE_T}\nop.add_column("t", sa.Column("n", sa.Integer, nullable=False))',
    )
    assert "not-null-column-without-default" not in rules(found)


def test_not_null_column_with_a_server_default_or_identity(project):
    found = lint_body(
        project,
        """
        op.add_column("t", sa.Column("n", sa.Integer, nullable=False, server_default="0"))
        op.add_column("t", sa.Column("m", sa.Integer, sa.Identity(), nullable=False))
        """,
        setup=TABLE_T,
    )
    assert "not-null-column-without-default" not in rules(found)


def test_not_null_column_on_sqlite_fails_even_on_a_new_table(project):
    found = lint_body(
        project,
        f'{TABLE_T}\nop.add_column("t", sa.Column("n", sa.Integer, nullable=False))',
        dialect="sqlite",
    )
    [finding] = by_rule(found, "not-null-column-without-default")
    assert "SQLite refuses" in finding.message


def test_not_null_column_in_a_sqlite_batch_rebuild_of_a_new_table(project):
    found = lint_body(
        project,
        f"""
        {TABLE_T}
        with op.batch_alter_table("t", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("n", sa.Integer, nullable=False))
        """,
        dialect="sqlite",
    )
    assert "not-null-column-without-default" not in rules(found)


def test_not_null_column_on_mysql_is_a_warning(project):
    found = lint_body(
        project,
        'op.add_column("t", sa.Column("n", sa.Integer, nullable=False))',
        setup=TABLE_T,
        dialect="mysql",
    )
    [finding] = by_rule(found, "not-null-column-without-default")
    assert finding.severity == "warning"
    assert "implicit default" in finding.message


def test_volatile_default_rewrites_the_table(project):
    found = lint_body(
        project,
        """
        op.add_column("t", sa.Column("a", sa.DateTime, server_default=sa.text("clock_timestamp()")))
        op.add_column("t", sa.Column("b", sa.DateTime, server_default=sa.func.now()))
        op.add_column("t", sa.Column("u", sa.Uuid, server_default=sa.text("gen_random_uuid()")))
        op.add_column("t", sa.Column("i", sa.BigInteger, sa.Identity()))
        """,
        setup=TABLE_T,
    )
    lines = [f.line for f in by_rule(found, "volatile-default-rewrites-table")]
    assert lines == [
        line_of(project, "r1body", '"a"'),
        line_of(project, "r1body", '"u"'),
        line_of(project, "r1body", '"i"'),
    ]  # now() is STABLE: stored once in the catalog, no rewrite


def test_constant_default_rewrites_before_postgresql_11(project):
    body = 'op.add_column("t", sa.Column("n", sa.Integer, nullable=False, server_default="0"))'
    old = lint_body(project, body, setup=TABLE_T, server_version="10")
    assert rules(old).count("constant-default-rewrites-table") == 1
    new = project.lint("r1body", dialect="postgresql", server_version="15")
    assert "constant-default-rewrites-table" not in rules(new)
    assert "volatile-default-rewrites-table" not in rules(new)


def test_defaults_on_a_new_table_rewrite_nothing(project):
    found = lint_body(
        project,
        f'{TABLE_T}\nop.add_column("t", sa.Column("a", sa.DateTime, server_default=sa.text("clock_timestamp()")))',
        server_version="10",
    )
    assert not {"volatile-default-rewrites-table", "constant-default-rewrites-table"} & set(
        rules(found)
    )


def test_column_type_changes(project):
    found = lint_body(
        project,
        """
        op.alter_column("t", "c", type_=sa.String(40), existing_type=sa.String(20))
        op.alter_column("t", "c", type_=sa.Text(), existing_type=sa.String(40))
        op.alter_column("t", "n", type_=sa.Numeric(12, 2), existing_type=sa.Numeric(10, 2))
        op.alter_column("t", "id", type_=sa.BigInteger(), existing_type=sa.Integer())
        op.alter_column("t", "c", type_=sa.String(10), existing_type=sa.String(20))
        op.alter_column("t", "k", type_=sa.BigInteger())
        """,
        setup=TABLE_T,
    )
    found = by_rule(found, "column-type-rewrites-table")
    assert [(f.line, f.severity) for f in found] == [
        (line_of(project, "r1body", '"id"'), "error"),
        (line_of(project, "r1body", "sa.String(10)"), "error"),
        (line_of(project, "r1body", '"k"'), "warning"),
    ]
    assert "existing_type" in found[2].message


def test_column_type_change_with_using_rewrites(project):
    found = lint_body(
        project,
        'op.alter_column("t", "c", type_=sa.String(40), existing_type=sa.String(20), '
        'postgresql_using="c::varchar(40)")',
        setup=TABLE_T,
    )
    assert rules(found).count("column-type-rewrites-table") == 1


def test_column_type_changes_on_mysql(project):
    found = lint_body(
        project,
        """
        op.alter_column("t", "c", type_=sa.String(40), existing_type=sa.String(20))
        op.alter_column("t", "d", type_=sa.String(100), existing_type=sa.String(50))
        op.alter_column("t", "id", type_=sa.BigInteger(), existing_type=sa.Integer())
        op.alter_column("t", "e", type_=sa.Enum("a", "b", "c"), existing_type=sa.Enum("a", "b"))
        op.alter_column("t", "f", type_=sa.Enum("a", "c"), existing_type=sa.Enum("a", "b", "c"))
        """,
        setup=TABLE_T,
        dialect="mysql",
    )
    assert [f.line for f in by_rule(found, "column-type-rewrites-table")] == [
        line_of(project, "r1body", '"d"'),
        line_of(project, "r1body", '"id"'),
    ]
    assert "ALGORITHM=COPY" in by_rule(found, "column-type-rewrites-table")[0].message
    assert [f.line for f in by_rule(found, "enum-value-removal-rewrites")] == [
        line_of(project, "r1body", '"f"')
    ]


def test_set_not_null_scans_the_table(project):
    found = lint_body(project, 'op.alter_column("t", "c", nullable=False)', setup=TABLE_T)
    assert rules(found).count("set-not-null-scans-table") == 1


SAFE_NOT_NULL = """
op.create_check_constraint("ck_c_nn", "t", "c IS NOT NULL", postgresql_not_valid=True)
with op.get_context().autocommit_block():
    op.validate_constraint("ck_c_nn", "t")
op.alter_column("t", "c", nullable=False)
op.drop_constraint("ck_c_nn", "t", type_="check")
"""


def test_set_not_null_through_a_validated_check(project):
    found = lint_body(project, SAFE_NOT_NULL, setup=TABLE_T, server_version="15")
    assert not {"set-not-null-scans-table", "check-validates-under-lock"} & set(rules(found))


def test_set_not_null_through_a_check_still_scans_before_postgresql_12(project):
    found = lint_body(project, SAFE_NOT_NULL, setup=TABLE_T, server_version="11")
    [finding] = by_rule(found, "set-not-null-scans-table")
    assert "before PostgreSQL 12" in finding.message


def test_renames_and_drops(project):
    found = lint_body(
        project,
        """
        op.alter_column("t", "c", new_column_name="c2")
        op.drop_column("t", "c2")
        op.rename_table("t", "t2")
        op.drop_table("t2")
        """,
        setup=TABLE_T,
    )
    assert [(f.rule, f.severity) for f in found if f.rule != "missing-lock-timeout"] == [
        ("rename-column-breaks-code", "warning"),
        ("drop-column-breaks-code", "warning"),
        ("rename-table-breaks-code", "warning"),
        ("drop-table-loses-data", "warning"),
    ]


def test_renames_and_drops_of_what_the_revision_created(project):
    found = lint_body(
        project,
        f"""
        {TABLE_T}
        op.alter_column("t", "c", new_column_name="c2")
        op.drop_column("t", "c2")
        op.rename_table("t", "t2")
        op.create_index("ix_t2_id", "t2", ["id"])
        op.drop_table("t2")
        """,
    )
    assert rules(found) == []
