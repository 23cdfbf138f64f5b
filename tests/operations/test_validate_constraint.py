"""``op.validate_constraint`` and the ``postgresql_not_valid`` forms it completes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dbshift.operations import ops


def test_offline_sql_on_postgresql(offline_op):
    op, sql = offline_op("postgresql")
    op.create_foreign_key("fk_c_p", "child", "parent", ["p_id"], ["id"], postgresql_not_valid=True)
    op.create_check_constraint("ck_c_q", "child", "q > 0", postgresql_not_valid=True)
    op.validate_constraint("fk_c_p", "child")
    op.validate_constraint("Ck Mixed", "child", schema="app")
    assert sql == [
        "ALTER TABLE child ADD CONSTRAINT fk_c_p FOREIGN KEY(p_id) REFERENCES parent (id) NOT VALID",
        "ALTER TABLE child ADD CONSTRAINT ck_c_q CHECK (q > 0) NOT VALID",
        "ALTER TABLE child VALIDATE CONSTRAINT fk_c_p",
        'ALTER TABLE app.child VALIDATE CONSTRAINT "Ck Mixed"',
    ]


@pytest.mark.parametrize("dialect", ["mysql", "sqlite", "mssql"])
def test_other_databases_validate_when_adding(offline_op, dialect):
    op, sql = offline_op(dialect)
    op.validate_constraint("fk_c_p", "child")
    assert sql == []


def test_the_op_object():
    op = ops.ValidateConstraintOp("fk", "child", schema="s")
    assert op.to_diff_tuple() == ("validate_constraint", "s", "child", "fk")


def _convalidated(conn, name):
    return conn.exec_driver_sql(
        "SELECT convalidated FROM pg_constraint WHERE conname = %(n)s", {"n": name}
    ).scalar()


def test_not_valid_then_validated_on_postgresql(pg_engine, live_op):
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id int PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TABLE child (id int, p_id int, q int)")
        conn.exec_driver_sql("INSERT INTO parent VALUES (1)")
        conn.exec_driver_sql("INSERT INTO child VALUES (1, 1, 5)")
    with live_op(pg_engine) as op:
        op.create_foreign_key("fk_c_p", "child", "parent", ["p_id"], ["id"], postgresql_not_valid=True)
        op.create_check_constraint("ck_c_q", "child", "q > 0", postgresql_not_valid=True)
    with pg_engine.connect() as conn:
        assert (_convalidated(conn, "fk_c_p"), _convalidated(conn, "ck_c_q")) == (False, False)
    with live_op(pg_engine) as op:
        op.validate_constraint("fk_c_p", "child")
        op.validate_constraint("ck_c_q", "child")
    with pg_engine.connect() as conn:
        assert (_convalidated(conn, "fk_c_p"), _convalidated(conn, "ck_c_q")) == (True, True)


def test_validation_fails_on_rows_that_break_the_constraint(pg_engine, live_op):
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE child (id int, q int)")
        conn.exec_driver_sql("INSERT INTO child VALUES (1, -1)")
    with live_op(pg_engine) as op:
        op.create_check_constraint("ck_c_q", "child", "q > 0", postgresql_not_valid=True)
    with pytest.raises(sa.exc.IntegrityError, match="ck_c_q"):
        with live_op(pg_engine) as op:
            op.validate_constraint("ck_c_q", "child")
