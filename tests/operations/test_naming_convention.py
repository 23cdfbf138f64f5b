"""``name=None`` plus the ``target_metadata`` naming convention names what ops build."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@pytest.fixture
def conv_op(offline_op):
    return offline_op("default", target_metadata=sa.MetaData(naming_convention=CONVENTION))


def test_unnamed_constraints_and_index_get_conventional_names(conv_op):
    op, sql = conv_op
    op.create_unique_constraint(None, "t", ["a"])
    op.create_foreign_key(None, "t", "r", ["rid"], ["id"])
    op.create_primary_key(None, "t", ["id"])
    op.create_index(None, "t", ["a"])
    assert sql == [
        "ALTER TABLE t ADD CONSTRAINT uq_t_a UNIQUE (a)",
        "ALTER TABLE t ADD CONSTRAINT fk_t_rid_r FOREIGN KEY(rid) REFERENCES r (id)",
        "ALTER TABLE t ADD CONSTRAINT pk_t PRIMARY KEY (id)",
        "CREATE INDEX ix_t_a ON t (a)",
    ]


def test_check_convention_wraps_the_given_name(conv_op):
    op, sql = conv_op
    op.create_check_constraint("positive", "t", "x > 0")
    op.drop_constraint("positive", "t", type_="check")
    assert sql == [
        "ALTER TABLE t ADD CONSTRAINT ck_t_positive CHECK (x > 0)",
        "ALTER TABLE t DROP CONSTRAINT ck_t_positive",
    ]


def test_check_convention_needs_a_name(conv_op):
    op, _ = conv_op
    with pytest.raises(sa.exc.InvalidRequestError, match="constraint_name"):
        op.create_check_constraint(None, "t", "x > 0")


def test_f_bypasses_the_convention(conv_op):
    op, sql = conv_op
    op.create_check_constraint(op.f("ck_exact"), "t", "x > 0")
    op.create_unique_constraint(op.f("my_uq"), "t", ["a"])
    op.create_index(op.f("my_ix"), "t", ["a"])
    op.drop_constraint(op.f("ck_t_positive"), "t", type_="check")
    assert sql == [
        "ALTER TABLE t ADD CONSTRAINT ck_exact CHECK (x > 0)",
        "ALTER TABLE t ADD CONSTRAINT my_uq UNIQUE (a)",
        "CREATE INDEX my_ix ON t (a)",
        "ALTER TABLE t DROP CONSTRAINT ck_t_positive",
    ]


def test_add_column_and_create_table_use_the_convention(conv_op):
    op, sql = conv_op
    op.add_column("t", sa.Column("flag", sa.Boolean(create_constraint=True, name="flag")))
    op.add_column("t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id")))
    op.create_table(
        "u",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.Integer, unique=True, index=True),
        sa.Column("b", sa.Integer, unique=True),
    )
    assert sql == [
        "ALTER TABLE t ADD COLUMN flag BOOLEAN",
        "ALTER TABLE t ADD CONSTRAINT ck_t_flag CHECK (flag IN (0, 1))",
        "ALTER TABLE t ADD COLUMN rid INTEGER",
        "ALTER TABLE t ADD CONSTRAINT fk_t_rid_r FOREIGN KEY(rid) REFERENCES r (id)",
        "CREATE TABLE u ( id INTEGER NOT NULL, a INTEGER, b INTEGER, "
        "CONSTRAINT pk_u PRIMARY KEY (id), CONSTRAINT uq_u_b UNIQUE (b) )",
        "CREATE UNIQUE INDEX ix_u_a ON u (a)",
    ]


def test_first_metadata_of_a_list_supplies_the_convention(offline_op):
    op, sql = offline_op(
        "default",
        target_metadata=[sa.MetaData(naming_convention=CONVENTION), sa.MetaData()],
    )
    op.create_unique_constraint(None, "t", ["a"])
    assert sql == ["ALTER TABLE t ADD CONSTRAINT uq_t_a UNIQUE (a)"]


def test_no_target_metadata_uses_sqlalchemy_defaults(offline_op):
    op, sql = offline_op("default")
    op.create_index(None, "t", ["a"])
    op.create_unique_constraint(None, "t", ["a"])
    assert sql == ["CREATE INDEX ix_t_a ON t (a)", "ALTER TABLE t ADD UNIQUE (a)"]
