"""How MySQL/MariaDB run an ALTER: what ``mysql_alter_algorithm`` says, checked against a live
MariaDB (asking for ``ALGORITHM=INSTANT``/``INPLACE`` fails where only a copy is possible)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from dbshift.ddl.mysql_alter_algorithm import alter_algorithm, type_change_algorithm

MY = mysql.dialect()


def test_type_changes():
    assert type_change_algorithm(sa.String(20), sa.String(40), MY).name == "INPLACE"
    assert type_change_algorithm(sa.String(50), sa.String(100), MY).name == "COPY"
    assert type_change_algorithm(sa.Integer(), sa.BigInteger(), MY).name == "COPY"
    assert type_change_algorithm(sa.Enum("a", "b"), sa.Enum("a", "b", "c"), MY).name == "INSTANT"
    assert type_change_algorithm(sa.Enum("a", "b"), sa.Enum("b", "a"), MY).name == "COPY"
    assert type_change_algorithm(None, sa.Integer(), MY).name == "COPY"


def test_versions():
    assert alter_algorithm("add_column", server_version=(8, 0, 11)).rebuilds
    assert alter_algorithm("add_column", server_version=(8, 0, 30)).name == "INSTANT"
    assert alter_algorithm("drop_column", mariadb=True, server_version=(10, 3)).rebuilds
    assert alter_algorithm("drop_column", mariadb=True, server_version=(10, 11)).name == "INSTANT"
    assert alter_algorithm("create_table") is None


SETUP = (
    "CREATE TABLE alg (id int PRIMARY KEY, c varchar(20), d varchar(50), n int, "
    "e enum('a','b'), p int) DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE alg_parent (id int PRIMARY KEY)",
    "INSERT INTO alg_parent VALUES (1)",
    "INSERT INTO alg VALUES (1, 'x', 'y', 1, 'a', 1)",
)

CASES = [
    ("add_column", "ADD COLUMN z int", {}),
    ("drop_column", "DROP COLUMN n", {}),
    ("set_default", "ALTER COLUMN n SET DEFAULT 3", {}),
    ("create_index", "ADD INDEX ix_c (c)", {}),
    ("add_unique", "ADD UNIQUE KEY uq_c (c)", {}),
    ("rename_column", "RENAME COLUMN n TO n2", {}),
    ("add_foreign_key", "ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES alg_parent (id)", {}),
    ("add_check", "ADD CONSTRAINT ck CHECK (n > 0)", {}),
    ("set_not_null", "MODIFY n int NOT NULL", {}),
    ("alter_column_type", "MODIFY c varchar(40)",
     {"existing_type": sa.String(20), "new_type": sa.String(40)}),
    ("alter_column_type", "MODIFY d varchar(100)",
     {"existing_type": sa.String(50), "new_type": sa.String(100)}),
    ("alter_column_type", "MODIFY n bigint",
     {"existing_type": sa.Integer(), "new_type": sa.BigInteger()}),
    ("alter_column_type", "MODIFY e enum('a','b','c')",
     {"existing_type": sa.Enum("a", "b"), "new_type": sa.Enum("a", "b", "c")}),
    ("alter_column_type", "MODIFY e enum('b','a')",
     {"existing_type": sa.Enum("a", "b"), "new_type": sa.Enum("b", "a")}),
]


@pytest.mark.parametrize(("kind", "action", "types"), CASES)
def test_algorithms_match_mariadb(mariadb_engine, kind, action, types):
    with mariadb_engine.connect() as conn:
        version = conn.dialect.server_version_info
        for sql in SETUP:
            conn.exec_driver_sql(sql)
        expected = alter_algorithm(
            kind, mariadb=True, server_version=version, dialect=conn.dialect, **types
        )
        assert expected is not None
        if expected.name == "COPY":
            with pytest.raises(sa.exc.OperationalError):
                conn.exec_driver_sql(f"ALTER TABLE alg {action}, ALGORITHM=INPLACE")
            conn.exec_driver_sql(f"ALTER TABLE alg {action}, ALGORITHM=COPY")
        else:
            conn.exec_driver_sql(f"ALTER TABLE alg {action}, ALGORITHM={expected.name}")
