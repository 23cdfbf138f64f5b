"""Rules on indexes and constraints, on positive and negative cases."""

from __future__ import annotations

from .conftest import TABLE_T, by_rule, line_of, lint_body, rules

OTHER = 'op.create_table("other", sa.Column("id", sa.Integer, primary_key=True))'


def test_blocking_index_creation(project):
    found = lint_body(project, 'op.create_index("ix_t_c", "t", ["c"])', setup=TABLE_T)
    [finding] = by_rule(found, "blocking-index-creation")
    assert finding.line == line_of(project, "r1body", "ix_t_c")
    assert "without CONCURRENTLY" in finding.message
    assert "postgresql_concurrently=True" in finding.fix


def test_index_on_a_table_created_in_the_same_revision(project):
    found = lint_body(project, f'{TABLE_T}\nop.create_index("ix_t_c", "t", ["c"])')
    assert rules(found) == []


def test_concurrent_index_in_an_autocommit_block(project):
    found = lint_body(
        project,
        """
        with op.get_context().autocommit_block():
            op.create_index("ix_t_c", "t", ["c"], postgresql_concurrently=True)
            op.drop_index("ix_t_old", table_name="t", postgresql_concurrently=True)
        """,
        setup=TABLE_T,
    )
    assert rules(found) == []


def test_concurrently_inside_the_transaction(project):
    found = lint_body(
        project,
        """
        op.create_index("ix_t_c", "t", ["c"], postgresql_concurrently=True)
        op.drop_index("ix_t_old", table_name="t", postgresql_concurrently=True)
        """,
        setup=TABLE_T,
    )
    assert rules(found) == ["concurrently-inside-transaction"] * 2
    assert all(f.severity == "error" for f in found)


def test_concurrently_on_a_new_table_still_needs_the_autocommit_block(project):
    found = lint_body(
        project, f'{TABLE_T}\nop.create_index("ix", "t", ["c"], postgresql_concurrently=True)'
    )
    assert rules(found) == ["concurrently-inside-transaction"]


def test_blocking_index_drop(project):
    found = lint_body(project, 'op.drop_index("ix_t_old", table_name="t")', setup=TABLE_T)
    [finding] = by_rule(found, "blocking-index-drop")
    assert finding.severity == "warning"


def test_dropping_an_index_created_in_the_same_revision(project):
    found = lint_body(
        project,
        """
        with op.get_context().autocommit_block():
            op.create_index("ix_t_c", "t", ["c"], postgresql_concurrently=True)
        op.drop_index("ix_t_c", table_name="t")
        """,
        setup=TABLE_T,
    )
    assert "blocking-index-drop" not in rules(found)


def test_indexes_on_mysql_are_online(project):
    found = lint_body(
        project,
        'op.create_index("ix_t_c", "t", ["c"])\nop.drop_index("ix_t_c", table_name="t")',
        setup=TABLE_T,
        dialect="mariadb",
    )
    assert rules(found) == []


def test_foreign_key_validates_under_lock(project):
    found = lint_body(
        project,
        'op.create_foreign_key("fk_t_o", "t", "other", ["o_id"], ["id"])',
        setup=f"{TABLE_T}\n{OTHER}",
    )
    [finding] = by_rule(found, "foreign-key-validates-under-lock")
    assert "SHARE ROW EXCLUSIVE" in finding.message


def test_foreign_key_not_valid_then_validated_later(project):
    found = lint_body(
        project,
        """
        op.create_foreign_key("fk_t_o", "t", "other", ["o_id"], ["id"], postgresql_not_valid=True)
        with op.get_context().autocommit_block():
            op.validate_constraint("fk_t_o", "t")
        """,
        setup=f"{TABLE_T}\n{OTHER}",
    )
    assert rules(found) == []


def test_foreign_key_validated_in_the_transaction_that_added_it(project):
    found = lint_body(
        project,
        """
        op.create_foreign_key("fk_t_o", "t", "other", ["o_id"], ["id"], postgresql_not_valid=True)
        op.validate_constraint("fk_t_o", "t")
        """,
        setup=f"{TABLE_T}\n{OTHER}",
    )
    [finding] = by_rule(found, "foreign-key-validates-under-lock")
    assert finding.line == line_of(project, "r1body", "op.validate_constraint")
    assert "still held" in finding.message


def test_foreign_key_from_a_new_table(project):
    found = lint_body(
        project,
        f'{TABLE_T}\nop.create_foreign_key("fk_t_o", "t", "other", ["o_id"], ["id"])',
        setup=OTHER,
    )
    assert rules(found) == []


def test_foreign_key_on_mysql_copies_the_table(project):
    found = lint_body(
        project,
        'op.create_foreign_key("fk_t_o", "t", "other", ["o_id"], ["id"])',
        setup=f"{TABLE_T}\n{OTHER}",
        dialect="mysql",
    )
    [finding] = by_rule(found, "foreign-key-validates-under-lock")
    assert "ALGORITHM=COPY" in finding.message
    assert "foreign_key_checks=0" in finding.fix


def test_check_constraint(project):
    found = lint_body(
        project,
        """
        op.create_check_constraint("ck_a", "t", "id > 0")
        op.create_check_constraint("ck_b", "t", "id > 1", postgresql_not_valid=True)
        op.validate_constraint("ck_b", "t")
        """,
        setup=TABLE_T,
    )
    assert [f.line for f in by_rule(found, "check-validates-under-lock")] == [
        line_of(project, "r1body", '"ck_a"'),
        line_of(project, "r1body", 'validate_constraint("ck_b"'),
    ]


def test_check_constraint_on_mariadb_copies_the_table(project):
    found = lint_body(
        project, 'op.create_check_constraint("ck_a", "t", "id > 0")', setup=TABLE_T,
        dialect="mariadb",
    )
    assert "ALGORITHM=COPY" in by_rule(found, "check-validates-under-lock")[0].message


def test_unique_and_primary_key_constraints(project):
    found = lint_body(
        project,
        """
        op.create_unique_constraint("uq_t_c", "t", ["c"])
        op.create_primary_key("pk_other2", "other2", ["id"])
        op.create_table("fresh", sa.Column("id", sa.Integer, nullable=False))
        op.create_primary_key("pk_fresh", "fresh", ["id"])
        op.create_unique_constraint("uq_fresh", "fresh", ["id"])
        """,
        setup=TABLE_T,
    )
    assert [f.rule for f in found if f.rule != "missing-lock-timeout"] == [
        "unique-constraint-blocks-writes",
        "primary-key-blocks-writes",
    ]


def test_unique_constraint_on_mysql_is_online(project):
    found = lint_body(
        project, 'op.create_unique_constraint("uq_t_c", "t", ["c"])', setup=TABLE_T,
        dialect="mysql",
    )
    assert rules(found) == []


def test_column_with_index_or_unique(project):
    found = lint_body(
        project,
        'op.add_column("t", sa.Column("e", sa.String(5), index=True, unique=True))',
        setup=TABLE_T,
    )
    assert {"blocking-index-creation", "unique-constraint-blocks-writes"} <= set(rules(found))


def test_enum_value_removal(project):
    found = lint_body(
        project,
        """
        op.recreate_enum_type(
            "mood", ["sad", "happy"], existing_values=["sad", "ok", "happy"],
            columns=[(None, "t", "mood", None)],
        )
        op.add_enum_value("mood", "fine")
        """,
        setup=TABLE_T,
    )
    [finding] = by_rule(found, "enum-value-removal-rewrites")
    assert "removes value(s) ok" in finding.message
    assert finding.line == line_of(project, "r1body", "op.recreate_enum_type")
