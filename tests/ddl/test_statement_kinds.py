"""Reading what a SQL statement does from its text."""

from __future__ import annotations

import pytest

from dbshift.ddl.statement_kinds import KINDS, classify_sql, split_statements


def _one(sql):
    [statement] = classify_sql(sql)
    assert statement.kind in KINDS
    return statement


def test_split_statements_respects_strings_quotes_comments_and_dollar_bodies():
    sql = """
        INSERT INTO t VALUES ('a;b');  -- a comment; with a semicolon
        CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
        SELECT "x;y" FROM t /* ; */ ;
        ;
    """
    assert split_statements(sql) == [
        "INSERT INTO t VALUES ('a;b')",
        "-- a comment; with a semicolon\n        CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; "
        "$body$ LANGUAGE sql",
        'SELECT "x;y" FROM t /* ; */',
    ]


@pytest.mark.parametrize(
    ("sql", "kind", "table", "name", "options"),
    [
        ("CREATE INDEX ix ON t (a)", "create_index", "t", "ix", set()),
        ("create unique index concurrently if not exists ix on s.t using btree (a, b)",
         "create_index_concurrently", "t", "ix", {"unique", "concurrently", "if_not_exists"}),
        ("DROP INDEX CONCURRENTLY IF EXISTS s.ix", "drop_index_concurrently", None, "ix",
         {"concurrently", "if_exists"}),
        ("DROP INDEX ix ON t", "drop_index", "t", "ix", set()),
        ("CREATE TABLE IF NOT EXISTS \"Odd\" (id int)", "create_table", "Odd", None, set()),
        ("DROP TABLE IF EXISTS t CASCADE", "drop_table", "t", None, {"if_exists"}),
        ("ALTER TABLE t RENAME TO u", "rename_table", "t", None, set()),
        ("RENAME TABLE t TO u", "rename_table", "t", None, set()),
        ("ALTER TABLE t RENAME COLUMN a TO b", "rename_column", "t", "a", set()),
        ("ALTER TABLE t RENAME a TO b", "rename_column", "t", "a", set()),
        ("ALTER TABLE t VALIDATE CONSTRAINT fk", "validate_constraint", "t", "fk", set()),
        ("ALTER TABLE t DROP CONSTRAINT IF EXISTS fk", "drop_constraint", "t", "fk", set()),
        ("ALTER TABLE t DROP COLUMN IF EXISTS c", "drop_column", "t", "c", {"if_exists"}),
        ("ALTER TABLE t ALTER COLUMN c SET NOT NULL", "set_not_null", "t", "c", set()),
        ("ALTER TABLE t ALTER c DROP NOT NULL", "drop_not_null", "t", "c", set()),
        ("ALTER TABLE t ALTER COLUMN c DROP DEFAULT", "drop_default", "t", "c", set()),
        ("ALTER TABLE t ALTER COLUMN c TYPE bigint USING c::bigint", "alter_column_type", "t",
         "c", {"using"}),
        ("ALTER TABLE t ADD CONSTRAINT uq UNIQUE USING INDEX ix", "add_unique_using_index", "t",
         "uq", set()),
        ("ALTER TABLE t ADD PRIMARY KEY (id)", "add_primary_key", "t", None, set()),
        ("ALTER TABLE t ADD UNIQUE KEY uq_a (a)", "add_unique", "t", "uq_a", set()),
        ("ALTER TABLE t ADD INDEX ix_a (a)", "create_index", "t", "ix_a", set()),
        ("ALTER TABLE t MODIFY COLUMN c VARCHAR(10) NOT NULL", "modify_column", "t", "c", set()),
        ("REINDEX INDEX CONCURRENTLY ix", "reindex_concurrently", None, "ix", set()),
        ("REFRESH MATERIALIZED VIEW CONCURRENTLY mv", "refresh_view_concurrently", None, "mv",
         set()),
        ("TRUNCATE TABLE t", "truncate", "t", None, set()),
        ("LOCK TABLE t IN ACCESS EXCLUSIVE MODE", "lock_table", "t", None, set()),
        ("COMMENT ON TABLE t IS 'x'", "comment", "t", None, set()),
        ("UPDATE ONLY t SET a = 1", "update", "t", None, set()),
        ("DELETE FROM s.t WHERE a = 1", "delete", "t", None, set()),
        ("INSERT INTO t (a) SELECT 1", "insert", "t", None, set()),
        ("WITH x AS (SELECT 1) UPDATE t SET a = 1", "update", None, None, set()),
        ("GRANT SELECT ON t TO r", "other", None, None, set()),
        ("CREATE EXTENSION IF NOT EXISTS pg_trgm", "other", None, None, set()),
        ("ALTER TYPE mood ADD VALUE 'ok'", "alter_type_add_value", None, "mood", set()),
        ("DO $$ BEGIN END $$", "unknown", None, None, set()),
        ("VACUUM t", "other", None, None, set()),
    ],
)
def test_statement_kinds(sql, kind, table, name, options):
    statement = _one(sql)
    assert (statement.kind, statement.table, statement.name) == (kind, table, name)
    assert statement.options == options


def test_alter_table_with_several_actions_gives_one_entry_each():
    found = classify_sql(
        "ALTER TABLE s.t ADD COLUMN n integer NOT NULL DEFAULT 0, "
        "ADD CONSTRAINT fk FOREIGN KEY (n) REFERENCES s2.r (id) NOT VALID, "
        "ADD CHECK (n > 0), ALGORITHM=INPLACE, LOCK=NONE"
    )
    assert [(s.kind, s.schema, s.table) for s in found] == [
        ("add_column", "s", "t"),
        ("add_foreign_key_not_valid", "s", "t"),
        ("add_check", "s", "t"),
    ]
    assert found[0].name == "n" and found[0].options == {"not_null"}
    assert found[0].detail == {"type": "integer", "default": "0"}
    assert found[1].columns == ("n",)
    assert found[1].detail == {"referent": "r", "referent_schema": "s2", "referent_columns": "id"}
    assert found[2].detail == {"condition": "n > 0"}


def test_add_column_options():
    [serial] = classify_sql("ALTER TABLE t ADD COLUMN id bigserial PRIMARY KEY")
    assert serial.options == {"generated", "primary_key"}
    [stored] = classify_sql(
        "ALTER TABLE t ADD COLUMN IF NOT EXISTS g int GENERATED ALWAYS AS (a * 2) STORED"
    )
    assert stored.options == {"generated", "stored", "if_not_exists"}
    [fk] = classify_sql("ALTER TABLE t ADD COLUMN o int REFERENCES other (id)")
    assert fk.options == {"references"} and fk.detail["referent"] == "other"


def test_set_statements():
    assert [s.detail for s in classify_sql(
        "SET LOCAL lock_timeout = '5s'; SET statement_timeout TO 0; SET @@session.lock_wait_timeout = 3"
    )] == [
        {"setting": "lock_timeout", "value": "5s"},
        {"setting": "statement_timeout", "value": "0"},
        {"setting": "lock_wait_timeout", "value": "3"},
    ]


def test_routine_bodies_are_not_split():
    sql = """
        DROP PROCEDURE IF EXISTS p;
        CREATE PROCEDURE p()
        BEGIN
            IF NOT EXISTS (SELECT 1) THEN
                CREATE INDEX ix ON t (a);
            END IF;
            BEGIN SELECT 1; END;
        END;
        CALL p();
    """
    assert [s.kind for s in classify_sql(sql)] == ["other", "other", "unknown"]
    assert [s.kind for s in classify_sql("BEGIN; UPDATE t SET a = 1; COMMIT")] == [
        "transaction", "update", "transaction"
    ]
