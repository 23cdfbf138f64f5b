"""batch_alter_table on SQLite: real rows through a rebuild, schema compared before and after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.migration import MigrationContext
from dbshift.operations import Operations
from dbshift.util.exc import CommandError

pytestmark = pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")


def run_batch(engine: sa.Engine, table: str, fn: Callable[[Any], None], **kw: Any) -> None:
    """Run one batch in a migration transaction (committed on success)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        with ctx.begin_transaction():
            with Operations(ctx).batch_alter_table(table, **kw) as batch:
                fn(batch)
        if conn.in_transaction():
            conn.commit()


def snapshot(engine: sa.Engine, table: str) -> dict[str, Any]:
    """The reflected schema of ``table`` plus its rows, comparable with ==."""
    with engine.connect() as conn:
        insp = sa.inspect(conn)
        columns = [
            {k: str(v) if k == "type" else v for k, v in col.items() if k != "comment"}
            for col in insp.get_columns(table)
        ]
        pk = insp.get_pk_constraint(table)
        result = {
            "columns": columns,
            "pk": (pk["name"], pk["constrained_columns"]),
            "fks": sorted(
                (fk["name"] or "", tuple(fk["constrained_columns"]), fk["referred_table"],
                 tuple(fk["referred_columns"]), tuple(sorted(fk["options"].items())))
                for fk in insp.get_foreign_keys(table)
            ),
            "uqs": sorted((u["name"] or "", tuple(u["column_names"]))
                          for u in insp.get_unique_constraints(table)),
            "checks": sorted((c["name"] or "", " ".join(c["sqltext"].split()))
                             for c in insp.get_check_constraints(table)),
            "indexes": sorted((i["name"], tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
                              for i in insp.get_indexes(table)),
            "options": insp.get_table_options(table),
            "rows": conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1")).fetchall(),
        }
        if engine.dialect.name == "sqlite":
            result["master"] = sorted(
                tuple(r) for r in conn.exec_driver_sql(
                    "SELECT type, name, sql FROM sqlite_master WHERE type IN "
                    "('index', 'view', 'trigger') AND sql IS NOT NULL"
                )
            )
            result["tables"] = sorted(
                r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
            )
        return result


def create(engine: sa.Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


RICH_TABLE = (
    "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
    "CREATE TABLE t (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  name VARCHAR(20) NOT NULL CHECK (length(name) > 0),\n"
    "  qty INTEGER DEFAULT 7,\n"
    "  made TIMESTAMP DEFAULT (CURRENT_TIMESTAMP),\n"
    "  double_qty INTEGER GENERATED ALWAYS AS (qty * 2) STORED,\n"
    "  parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE,\n"
    "  boss_id INTEGER,\n"
    "  CONSTRAINT uq_name UNIQUE (name),\n"
    "  UNIQUE (qty, boss_id),\n"
    "  CONSTRAINT ck_qty CHECK (qty >= 0),\n"
    "  CHECK (boss_id IS NULL OR boss_id <> id),\n"
    "  CONSTRAINT fk_boss FOREIGN KEY (boss_id) REFERENCES t(id)\n"
    ")",
    "CREATE INDEX ix_t_qty ON t (qty)",
    "CREATE UNIQUE INDEX ix_t_lower ON t (lower(name))",
    "CREATE INDEX ix_t_partial ON t (boss_id) WHERE boss_id IS NOT NULL",
    "CREATE VIEW v_t AS SELECT id, name FROM t",
    "CREATE VIEW v_v AS SELECT name FROM v_t",
    "CREATE TABLE audit (msg TEXT)",
    "CREATE TRIGGER tr_t AFTER INSERT ON t BEGIN INSERT INTO audit VALUES (new.name); END",
    "CREATE TABLE child (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t(id) ON DELETE CASCADE)",
    "INSERT INTO parent VALUES (1), (2)",
    "INSERT INTO t (name, qty, parent_id, boss_id) VALUES ('a', 1, 1, NULL), ('b', 2, 2, 1), "
    "('c', NULL, NULL, 2)",
    "DELETE FROM t WHERE name = 'c'",
    "INSERT INTO t (name, qty, parent_id, boss_id) VALUES ('d', 4, 1, 2)",
    "INSERT INTO child VALUES (1, 1), (2, 4)",
)


@pytest.fixture
def rich(sqlite_engine: sa.Engine) -> sa.Engine:
    create(sqlite_engine, *RICH_TABLE)
    return sqlite_engine


def test_always_rebuild_without_ops_keeps_everything(rich: sa.Engine) -> None:
    before = snapshot(rich, "t")
    run_batch(rich, "t", lambda b: None, recreate="always")
    after = snapshot(rich, "t")
    assert {k: v for k, v in after.items() if k != "master"} == {
        k: v for k, v in before.items() if k != "master"
    }
    # views, triggers and the expression/partial indexes are re-created from their own SQL
    names = lambda snap: sorted((t, n) for t, n, _s in snap["master"])  # noqa: E731
    assert names(after) == names(before)
    with rich.connect() as conn:
        assert conn.exec_driver_sql("SELECT * FROM v_v ORDER BY 1").fetchall() == [
            ("a",), ("b",), ("d",)
        ]
        # AUTOINCREMENT counter survives (id 3 was used and deleted: the next id is 5)
        conn.exec_driver_sql("INSERT INTO t (name, qty) VALUES ('e', 5)")
        assert conn.exec_driver_sql("SELECT id FROM t WHERE name='e'").scalar() == 5
        # the trigger fires on the new table (a, b, c, d before; e now)
        assert conn.exec_driver_sql("SELECT count(*) FROM audit").scalar() == 5
        # the child table still points at t
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name='child'").scalar()
        assert "REFERENCES t(id)" in sql
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []


def test_every_op_in_one_batch(rich: sa.Engine) -> None:
    def ops(b: Any) -> None:
        b.add_column(sa.Column("note", sa.Text, server_default="n/a"), insert_after="name")
        b.add_column(sa.Column("flag", sa.Integer, nullable=True), insert_before="id")
        b.alter_column("qty", new_column_name="amount", type_=sa.BigInteger, nullable=True)
        b.alter_column("name", server_default="x", existing_type=sa.String(20))
        b.drop_constraint("ck_qty", type_="check")
        b.create_check_constraint("ck_amount", "amount < 100")
        b.create_unique_constraint("uq_note_name", ["note", "name"])
        b.drop_index("ix_t_qty")
        b.create_index("ix_t_amount", ["amount"])
        b.create_foreign_key("fk_flag", "parent", ["flag"], ["id"])

    run_batch(rich, "t", ops)
    snap = snapshot(rich, "t")
    assert [c["name"] for c in snap["columns"]] == [
        "flag", "id", "name", "note", "amount", "made", "double_qty", "parent_id", "boss_id"
    ]
    cols = {c["name"]: c for c in snap["columns"]}
    assert cols["note"]["default"] == "'n/a'"
    assert cols["name"]["default"] == "'x'"
    assert cols["amount"]["type"] == "BIGINT"
    assert cols["double_qty"]["computed"]["sqltext"].replace('"', "") == "amount * 2"
    assert ("ck_amount", "amount < 100") in snap["checks"]
    assert not any(name == "ck_qty" for name, _ in snap["checks"])
    # the unnamed checks survive, the one on a renamed column is rewritten
    assert ("", "boss_id IS NULL OR boss_id <> id") in snap["checks"]
    assert ("", "length(name) > 0") in snap["checks"]
    assert ("uq_note_name", ("note", "name")) in snap["uqs"]
    assert ("", ("amount", "boss_id")) in snap["uqs"]
    assert [i[0] for i in snap["indexes"]] == ["ix_t_amount", "ix_t_partial"]
    assert any(n == "ix_t_lower" for _t, n, _s in snap["master"])
    fks = {fk[0]: fk for fk in snap["fks"]}
    assert fks["fk_flag"][1:4] == (("flag",), "parent", ("id",))
    assert fks["fk_boss"][1:4] == (("boss_id",), "t", ("id",))
    assert [r[1:] for r in snap["rows"]] == [
        (1, "a", "n/a", 1, snap["rows"][0][5], 2, 1, None),
        (2, "b", "n/a", 2, snap["rows"][1][5], 4, 2, 1),
        (4, "d", "n/a", 4, snap["rows"][2][5], 8, 1, 2),
    ]
    assert snap["options"] == {}
    with rich.connect() as conn:
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name='t'").scalar()
        assert "AUTOINCREMENT" in sql
        assert conn.exec_driver_sql("SELECT * FROM v_t ORDER BY id").fetchall() == [
            (1, "a"), (2, "b"), (4, "d")
        ]


def test_drop_column_and_unnamed_constraints_with_naming_convention(rich: sa.Engine) -> None:
    convention = {
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }

    def ops(b: Any) -> None:
        b.drop_constraint("uq_t_qty", type_="unique")
        b.drop_constraint("fk_t_parent_id_parent", type_="foreignkey")
        b.drop_column("made")

    run_batch(rich, "t", ops, naming_convention=convention)
    snap = snapshot(rich, "t")
    assert "made" not in [c["name"] for c in snap["columns"]]
    assert snap["uqs"] == [("uq_name", ("name",))]
    assert [fk[0] for fk in snap["fks"]] == ["fk_boss"]
    assert len(snap["rows"]) == 3


def test_strict_without_rowid_and_any_type(sqlite_engine: sa.Engine) -> None:
    create(
        sqlite_engine,
        "CREATE TABLE s (k TEXT PRIMARY KEY, v ANY, n INTEGER NOT NULL) STRICT, WITHOUT ROWID",
        "INSERT INTO s VALUES ('a', 1, 1), ('b', 'two', 2), ('c', x'00ff', 3)",
    )
    before = snapshot(sqlite_engine, "s")
    run_batch(sqlite_engine, "s", lambda b: b.add_column(sa.Column("extra", sa.Text)),
              recreate="always")
    after = snapshot(sqlite_engine, "s")
    assert after["options"] == {"sqlite_with_rowid": False, "sqlite_strict": True}
    assert [r[:3] for r in after["rows"]] == before["rows"]
    with sqlite_engine.connect() as conn:
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name='s'").scalar()
        assert "v ANY" in sql
        with pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("INSERT INTO s (k, v, n) VALUES ('z', 1, 'not a number')")


def test_type_change_casts_and_refuses_lossy_values(sqlite_engine: sa.Engine) -> None:
    create(
        sqlite_engine,
        "CREATE TABLE c (id INTEGER PRIMARY KEY, a VARCHAR(10), d VARCHAR(10))",
        "INSERT INTO c VALUES (1, '10', '2024-01-02'), (2, ' 7', NULL), (3, NULL, '2020-12-31')",
    )
    run_batch(sqlite_engine, "c", lambda b: (
        b.alter_column("a", type_=sa.Integer), b.alter_column("d", type_=sa.Date)
    ))
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT a, typeof(a), d FROM c ORDER BY id").fetchall() == [
            (10, "integer", "2024-01-02"), (7, "integer", None), (None, "null", "2020-12-31")
        ]
        conn.exec_driver_sql("INSERT INTO c VALUES (4, 3, 'x')")
        conn.commit()
    before = snapshot(sqlite_engine, "c")
    with pytest.raises(CommandError, match=r"column 'd': 3 row\(s\) can't be converted.*'2024-01-02'"):
        run_batch(sqlite_engine, "c", lambda b: b.alter_column("d", type_=sa.Integer))
    assert snapshot(sqlite_engine, "c") == before


def test_plain_alters_when_sqlite_can(sqlite_engine: sa.Engine) -> None:
    create(sqlite_engine, "CREATE TABLE p (id INTEGER PRIMARY KEY, a INTEGER)",
           "INSERT INTO p VALUES (1, 2)")
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    sa.event.listen(sqlite_engine, "before_cursor_execute", record)
    try:
        run_batch(sqlite_engine, "p", lambda b: (
            b.add_column(sa.Column("b", sa.Integer, server_default="3")),
            b.create_index("ix_p_a", ["a"]),
        ))
    finally:
        sa.event.remove(sqlite_engine, "before_cursor_execute", record)
    assert "ALTER TABLE p ADD COLUMN b INTEGER DEFAULT '3'" in statements
    assert "CREATE INDEX ix_p_a ON p (a)" in statements
    assert not any("_alembic_tmp_" in s for s in statements)


def test_insert_before_needs_recreate(sqlite_engine: sa.Engine) -> None:
    create(sqlite_engine, "CREATE TABLE p (id INTEGER PRIMARY KEY, a INTEGER)")
    with pytest.raises(CommandError, match="recreate='always'"):
        run_batch(sqlite_engine, "p", lambda b: b.add_column(
            sa.Column("b", sa.Integer), insert_before="a"), recreate="never")


def test_partial_reordering(sqlite_engine: sa.Engine) -> None:
    create(sqlite_engine, "CREATE TABLE r (a INTEGER, b INTEGER, c INTEGER, d INTEGER)",
           "INSERT INTO r VALUES (1, 2, 3, 4)")
    run_batch(sqlite_engine, "r", lambda b: None, recreate="always",
              partial_reordering=[("c", "d", "a", "b")])
    with sqlite_engine.connect() as conn:
        result = conn.exec_driver_sql("SELECT * FROM r")
        assert list(result.keys()) == ["c", "d", "a", "b"]
        assert result.fetchall() == [(3, 4, 1, 2)]


def run_batch_fk_on(engine: sa.Engine, table: str, fn: Callable[[Any], None], **kw: Any) -> None:
    """run_batch on a connection with PRAGMA foreign_keys=ON."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        ctx = MigrationContext.configure(conn)
        with ctx.begin_transaction():
            with Operations(ctx).batch_alter_table(table, **kw) as batch:
                fn(batch)
        if conn.in_transaction():
            conn.commit()


def test_foreign_keys_on_rebuild_of_referenced_table_keeps_children(rich: sa.Engine) -> None:
    create(
        rich,
        "CREATE TABLE grandchild (id INTEGER PRIMARY KEY, "
        "child_id INTEGER REFERENCES child(id) ON DELETE CASCADE)",
        "INSERT INTO grandchild VALUES (1, 1), (2, 2)",
    )
    with rich.connect() as conn:
        child_sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name='child'").scalar()
    before = snapshot(rich, "t")

    def ops(b: Any) -> None:
        b.drop_column("made")
        b.alter_column("qty", type_=sa.BigInteger)

    run_batch_fk_on(rich, "t", ops)
    after = snapshot(rich, "t")
    assert [r[:3] for r in after["rows"]] == [r[:3] for r in before["rows"]]
    assert "made" not in [c["name"] for c in after["columns"]]
    assert after["fks"] == before["fks"]  # incl. the self-referential fk_boss
    assert not any(name.startswith("_dbshift_old") or name.startswith("_alembic_tmp")
                   for name in after["tables"])
    with rich.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        # ON DELETE CASCADE did not fire: the child rows (and theirs) are all there
        assert conn.exec_driver_sql("SELECT * FROM child ORDER BY id").fetchall() == [(1, 1), (2, 4)]
        assert conn.exec_driver_sql("SELECT count(*) FROM grandchild").scalar() == 2
        assert conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name='child'"
        ).scalar() == child_sql
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        # the children point at the new table: deleting from it cascades
        conn.exec_driver_sql("DELETE FROM t WHERE id = 4")
        assert conn.exec_driver_sql("SELECT * FROM child").fetchall() == [(1, 1)]
        assert conn.exec_driver_sql("SELECT * FROM grandchild").fetchall() == [(1, 1)]
        with pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("INSERT INTO child VALUES (9, 99)")
        conn.rollback()


def test_foreign_keys_on_rebuild_that_breaks_references_warns_and_goes_on(
    sqlite_engine: sa.Engine,
) -> None:
    """Alembic checks nothing here and loses no row by going on: a warning, not an error."""
    create(
        sqlite_engine,
        "CREATE TABLE code (id INTEGER PRIMARY KEY, c TEXT, CONSTRAINT uq_c UNIQUE (c))",
        "CREATE TABLE uses (id INTEGER PRIMARY KEY, c TEXT REFERENCES code(c) ON DELETE CASCADE)",
        "INSERT INTO code VALUES (1, 'a'), (2, 'b')",
        "INSERT INTO uses VALUES (1, 'a'), (2, 'b')",
    )
    before = snapshot(sqlite_engine, "code")
    with pytest.warns(UserWarning, match="foreign keys of 'uses' no longer match"):
        run_batch_fk_on(sqlite_engine, "code", lambda b: b.drop_constraint("uq_c", type_="unique"))
    after = snapshot(sqlite_engine, "code")
    assert after["uqs"] == [] and before["uqs"] == [("uq_c", ("c",))]
    assert after["rows"] == before["rows"]
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT * FROM uses").fetchall() == [(1, "a"), (2, "b")]


def test_foreign_key_violations_after_a_rebuild_are_a_warning(sqlite_engine: sa.Engine) -> None:
    create(
        sqlite_engine,
        "CREATE TABLE p (id INTEGER PRIMARY KEY)",
        "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER)",
        "INSERT INTO p VALUES (1)",
        "INSERT INTO c VALUES (1, 1), (2, 7)",
    )
    with pytest.warns(UserWarning, match=r"1 row\(s\) of 'c' violate its foreign key\(s\) to p"):
        run_batch(sqlite_engine, "c", lambda b: b.create_foreign_key("fk_c_p", "p", ["p_id"], ["id"]))
    snap = snapshot(sqlite_engine, "c")
    assert snap["fks"] == [("fk_c_p", ("p_id",), "p", ("id",), ())]
    assert snap["rows"] == [(1, 1), (2, 7)]


def test_foreign_keys_on_rebuilds_unreferenced_table_and_checks_rows(rich: sa.Engine) -> None:
    with rich.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        ctx = MigrationContext.configure(conn)
        with ctx.begin_transaction():
            with Operations(ctx).batch_alter_table("child") as b:
                b.alter_column("t_id", nullable=False)
        conn.commit()
    with rich.connect() as conn:
        assert conn.exec_driver_sql("SELECT * FROM child").fetchall() == [(1, 1), (2, 4)]


def test_failed_batch_rolls_back_whole_migration(rich: sa.Engine) -> None:
    before = snapshot(rich, "t")

    def ops(b: Any) -> None:
        b.drop_column("made")
        b.create_check_constraint("ck_big", "qty > 100")

    with pytest.raises(CommandError, match=r"constraint 'ck_big': 3 row\(s\) fail CHECK \(qty > 100\)"):
        run_batch(rich, "t", ops)
    after = snapshot(rich, "t")
    assert after == before
    assert "_alembic_tmp_t" not in after["tables"]


def test_dropped_column_used_by_view_is_a_clear_error(rich: sa.Engine) -> None:
    before = snapshot(rich, "t")
    with pytest.raises(CommandError, match="view 'v_t'"):
        run_batch(rich, "t", lambda b: b.drop_column("name"))
    assert snapshot(rich, "t") == before


def test_self_referential_rows_and_fk(sqlite_engine: sa.Engine) -> None:
    create(
        sqlite_engine,
        "CREATE TABLE node (id INTEGER PRIMARY KEY, up INTEGER REFERENCES node(id), label TEXT)",
        "INSERT INTO node VALUES (1, NULL, 'root'), (2, 1, 'kid'), (3, 2, 'grandkid')",
    )
    run_batch(sqlite_engine, "node", lambda b: b.alter_column("label", nullable=False))
    snap = snapshot(sqlite_engine, "node")
    assert snap["fks"] == [("", ("up",), "node", ("id",), ())]
    assert snap["rows"] == [(1, None, "root"), (2, 1, "kid"), (3, 2, "grandkid")]
    assert [c["nullable"] for c in snap["columns"]] == [True, True, False]


def test_guarded_type_change_copies_plainly_and_leaves_no_guard(sqlite_engine: sa.Engine) -> None:
    create(
        sqlite_engine,
        "CREATE TABLE g (id INTEGER PRIMARY KEY, a VARCHAR(10), b VARCHAR(10), c REAL)",
        "INSERT INTO g VALUES (1, '10', '1.5', 2.0), (2, ' 7', '2.50', 3.0), (3, NULL, '2', NULL)",
    )
    statements: list[str] = []
    sa.event.listen(sqlite_engine, "before_cursor_execute",
                    lambda conn, cur, st, *a: statements.append(" ".join(st.split())))
    run_batch(sqlite_engine, "g", lambda b: (
        b.alter_column("a", type_=sa.Integer), b.alter_column("c", type_=sa.Integer),
        b.alter_column("b", type_=sa.Numeric),
    ))
    # no CAST in the copy: the new columns' affinity converts, temporary CHECKs guard
    assert 'INSERT INTO _alembic_tmp_g (id, a, b, c) SELECT g.id, g.a, g.b, g.c FROM g' in statements
    assert any('CONSTRAINT "_dbshift_lossless_a" CHECK' in s for s in statements)
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name='g'"
        ).scalar() == (
            'CREATE TABLE "g" (\n\tid INTEGER, \n\ta INTEGER, \n\tb NUMERIC, \n\t'
            "c INTEGER, \n\tPRIMARY KEY (id)\n)"
        )
        assert conn.exec_driver_sql("SELECT a, typeof(a), b, typeof(b), c, typeof(c) FROM g "
                                    "ORDER BY id").fetchall() == [
            (10, "integer", 1.5, "real", 2, "integer"),
            (7, "integer", 2.5, "real", 3, "integer"),
            (None, "null", 2, "integer", None, "null"),
        ]
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        # the guard is gone: the table takes what the plain definition takes
        conn.exec_driver_sql("INSERT INTO g VALUES (4, 'text', 'text', 'text')")
        conn.rollback()


def test_guarded_type_change_refuses_lossy_values(sqlite_engine: sa.Engine) -> None:
    create(
        sqlite_engine,
        "CREATE TABLE g (id INTEGER PRIMARY KEY, a VARCHAR(10), b VARCHAR(10))",
        "INSERT INTO g VALUES (1, '1.5', 'y'), (2, '2', 'x'), (3, 'abc', '3')",
    )
    before = snapshot(sqlite_engine, "g")
    with pytest.raises(CommandError, match=r"column 'a': 2 row\(s\) can't be converted without "
                       r"loss, e\.g\. '1\.5', 'abc'; column 'b': 2 row\(s\).*'y', 'x'"):
        run_batch(sqlite_engine, "g", lambda b: (
            b.alter_column("a", type_=sa.Integer), b.alter_column("b", type_=sa.Numeric)
        ))
    assert snapshot(sqlite_engine, "g") == before


def test_rebuild_keeps_column_collations(sqlite_engine: sa.Engine) -> None:
    create(
        sqlite_engine,
        "CREATE TABLE k (id INTEGER PRIMARY KEY, code VARCHAR(5) COLLATE NOCASE UNIQUE, "
        "n INTEGER COLLATE RTRIM, note TEXT CHECK (note COLLATE NOCASE <> 'x'), "
        "d TEXT DEFAULT ('a' COLLATE BINARY))",
        "INSERT INTO k (code, n, note) VALUES ('abc', 1, 'y')",
    )
    run_batch(sqlite_engine, "k", lambda b: b.add_column(sa.Column("x", sa.Integer)),
              recreate="always")
    with sqlite_engine.connect() as conn:
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name='k'").scalar()
        assert 'code VARCHAR(5) COLLATE "NOCASE"' in sql and 'n INTEGER COLLATE "RTRIM"' in sql
        assert 'note TEXT COLLATE' not in sql and "d TEXT COLLATE" not in sql
        with pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("INSERT INTO k (code) VALUES ('ABC')")


def _recorded(engine: sa.Engine) -> list[str]:
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cur, st, *a: statements.append(" ".join(st.split())))
    return statements


def _pages(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql(
            f"SELECT count(*) FROM dbstat WHERE name = '{table}'"
        ).scalar()


STRICT_GUARD_TABLE = (
    "CREATE TABLE s (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(20), "
    "qty VARCHAR(10), price FLOAT, n INTEGER, blobby)",
    "INSERT INTO s (name, qty, price, n, blobby) VALUES "
    "('a', '10', 1.0, 5, x'00ff'), (NULL, ' 7', 2.5, 'not a number', 3), "
    "('c', NULL, NULL, 2.5, 'text'), ('d', '1e3', 4.0, NULL, NULL)",
)


def test_integer_guard_copies_through_a_temporary_strict_table(sqlite_engine: sa.Engine) -> None:
    create(sqlite_engine, *STRICT_GUARD_TABLE)
    create(sqlite_engine, "DELETE FROM s WHERE id = 4", "INSERT INTO s (name) VALUES ('e')")
    with sqlite_engine.connect() as conn:
        rows_before = conn.exec_driver_sql(
            "SELECT id, name, typeof(name), price, typeof(price), n, typeof(n), blobby, "
            "typeof(blobby) FROM s ORDER BY id").fetchall()
    statements = _recorded(sqlite_engine)
    run_batch(sqlite_engine, "s", lambda b: (
        b.add_column(sa.Column("note", sa.Text)), b.alter_column("qty", type_=sa.Integer)
    ))
    created = [s for s in statements if s.startswith("CREATE TABLE _alembic_tmp_s")]
    assert created == [
        "CREATE TABLE _alembic_tmp_s ( id INTEGER PRIMARY KEY AUTOINCREMENT, name ANY, "
        "qty INTEGER, price REAL, n ANY, blobby ANY, note ANY ) STRICT"
    ]
    assert not any("_dbshift_lossless_" in s for s in statements)
    with sqlite_engine.connect() as conn:
        # the stored definition is the plain one: no STRICT, the declared types
        assert conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name='s'").scalar() == (
            'CREATE TABLE "s" (\n\tid INTEGER PRIMARY KEY AUTOINCREMENT, \n\t'
            "name VARCHAR(20), \n\tqty INTEGER, \n\tprice FLOAT, \n\tn INTEGER, \n\t"
            "blobby , \n\tnote TEXT\n)"
        )
        assert conn.exec_driver_sql(
            "SELECT id, name, typeof(name), price, typeof(price), n, typeof(n), blobby, "
            "typeof(blobby) FROM s ORDER BY id").fetchall() == rows_before
        assert conn.exec_driver_sql("SELECT id, qty, typeof(qty) FROM s ORDER BY id").fetchall(
        ) == [(1, 10, "integer"), (2, 7, "integer"), (3, None, "null"), (5, None, "null")]
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        # still the rowid, and AUTOINCREMENT's counter went on
        assert conn.exec_driver_sql("SELECT count(*) FROM s WHERE rowid = id").scalar() == 4
        conn.exec_driver_sql("INSERT INTO s (name, qty, n) VALUES ('f', 'text', 'text')")
        assert conn.exec_driver_sql("SELECT max(id), typeof(qty) FROM s WHERE name = 'f'"
                                    ).fetchone() == (6, "text")
        conn.rollback()


def test_integer_guard_keeps_reals_as_compact_as_a_plain_copy(sqlite_engine: sa.Engine) -> None:
    values = ", ".join(f"({i}, '{i}', {i}.0)" for i in range(1, 2001))
    create(sqlite_engine,
           "CREATE TABLE plain (id INTEGER PRIMARY KEY, qty INTEGER, price FLOAT)",
           f"INSERT INTO plain VALUES {values}",
           "CREATE TABLE strict (id INTEGER PRIMARY KEY, qty VARCHAR(10), price FLOAT)",
           f"INSERT INTO strict VALUES {values}")
    statements = _recorded(sqlite_engine)
    run_batch(sqlite_engine, "strict", lambda b: b.alter_column("qty", type_=sa.Integer))
    assert any(s.endswith(") STRICT") for s in statements)
    # integral REALs stored in SQLite's compact form, as in a table filled directly
    assert _pages(sqlite_engine, "strict") == _pages(sqlite_engine, "plain")


def test_integer_guard_in_strict_copy_refuses_lossy_values(sqlite_engine: sa.Engine) -> None:
    create(
        sqlite_engine,
        "CREATE TABLE g (id INTEGER PRIMARY KEY, a VARCHAR(10), f FLOAT)",
        "INSERT INTO g VALUES (1, '1.5', 1.0), (2, '2', 2.0), (3, 'abc', 3.5), (4, x'01', NULL)",
    )
    before = snapshot(sqlite_engine, "g")
    statements = _recorded(sqlite_engine)
    with pytest.raises(CommandError, match=r"column 'a': 3 row\(s\) can't be converted without "
                       r"loss, e\.g\. '1\.5', 'abc'"):
        run_batch(sqlite_engine, "g", lambda b: b.alter_column("a", type_=sa.Integer))
    assert any(s.endswith(") STRICT") for s in statements)
    assert snapshot(sqlite_engine, "g") == before


def test_text_in_a_real_column_sends_the_strict_copy_back_to_the_check_guard(
    sqlite_engine: sa.Engine,
) -> None:
    create(
        sqlite_engine,
        "CREATE TABLE g (id INTEGER PRIMARY KEY, a VARCHAR(10), f FLOAT)",
        "INSERT INTO g VALUES (1, '1', 1.0), (2, '2', 'n/a')",
    )
    statements = _recorded(sqlite_engine)
    run_batch(sqlite_engine, "g", lambda b: b.alter_column("a", type_=sa.Integer))
    creates = [s for s in statements if s.startswith("CREATE TABLE _alembic_tmp_g")]
    assert creates[0].endswith(") STRICT") and "_dbshift_lossless_a" in creates[1]
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT a, typeof(a), f, typeof(f) FROM g ORDER BY id"
                                    ).fetchall() == [(1, "integer", 1.0, "real"),
                                                     (2, "integer", "n/a", "text")]
        assert "STRICT" not in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name='g'").scalar()


@pytest.mark.parametrize(
    "definition, change",
    [
        # a CHECK compares by the declared type
        ("CREATE TABLE g (id INTEGER PRIMARY KEY, a VARCHAR(10), b VARCHAR(5) CHECK (b > 5))",
         None),
        # a collation orders the UNIQUE index by the declared column
        ("CREATE TABLE g (id INTEGER PRIMARY KEY, a VARCHAR(10), "
         "b VARCHAR(5) COLLATE NOCASE UNIQUE)", None),
        ("CREATE TABLE g (id INTEGER PRIMARY KEY, a VARCHAR(10), b VARCHAR(5)) WITHOUT ROWID",
         None),
        # NUMERIC has no STRICT type
        ("CREATE TABLE g (id INTEGER PRIMARY KEY, a VARCHAR(10), b VARCHAR(5))", "numeric"),
        # a new column with a default gets its value by its declared type
        ("CREATE TABLE g (id INTEGER PRIMARY KEY, a VARCHAR(10), b VARCHAR(5))", "default"),
    ],
)
def test_integer_guard_keeps_the_check_where_strict_could_change_values(
    sqlite_engine: sa.Engine, definition: str, change: str | None
) -> None:
    create(sqlite_engine, definition, "INSERT INTO g VALUES (1, '1', '6')")

    def alter(b: Any) -> None:
        b.alter_column("a", type_=sa.Integer)
        if change == "numeric":
            b.alter_column("b", type_=sa.Numeric)
        if change == "default":
            b.add_column(sa.Column("c", sa.String(5), server_default=sa.text("5")))

    statements = _recorded(sqlite_engine)
    run_batch(sqlite_engine, "g", alter)
    assert not any(s.endswith("STRICT") for s in statements)
    assert any("_dbshift_lossless_a" in s for s in statements)
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT a, typeof(a) FROM g").fetchone() == (1, "integer")


def test_named_inline_foreign_key_added_by_add_column_can_be_dropped_in_batch(
    sqlite_engine: sa.Engine, live_op: Any
) -> None:
    create(
        sqlite_engine,
        "CREATE TABLE r (id INTEGER PRIMARY KEY)",
        "CREATE TABLE t (id INTEGER PRIMARY KEY)",
        "INSERT INTO r VALUES (1)",
        "INSERT INTO t VALUES (1), (2)",
    )
    with live_op(sqlite_engine) as op:
        op.add_column("t", sa.Column("rid", sa.Integer, sa.ForeignKey("r.id", name="fk_r")))
    with sqlite_engine.connect() as conn:
        assert "rid INTEGER CONSTRAINT fk_r REFERENCES r (id)" in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 't'"
        ).scalar()
    # a rebuild keeps the name (as a table-level constraint)
    run_batch(sqlite_engine, "t", lambda b: b.add_column(sa.Column("x", sa.Integer)),
              recreate="always")
    with sqlite_engine.connect() as conn:
        assert "CONSTRAINT fk_r FOREIGN KEY(rid) REFERENCES r (id)" in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 't'"
        ).scalar()
    run_batch(sqlite_engine, "t", lambda b: (
        b.drop_constraint("fk_r", type_="foreignkey"), b.drop_column("x")))
    snap = snapshot(sqlite_engine, "t")
    assert snap["fks"] == []
    assert [c["name"] for c in snap["columns"]] == ["id", "rid"]
    assert snap["rows"] == [(1, None), (2, None)]


def test_column_unique_after_a_type_with_arguments_survives(sqlite_engine: sa.Engine) -> None:
    # SQLAlchemy's reflection misses "q VARCHAR(5) UNIQUE"; SQLite's index for it tells
    create(
        sqlite_engine,
        "CREATE TABLE u (id INTEGER PRIMARY KEY, q VARCHAR(5) UNIQUE, "
        "r NUMERIC(10, 2) CONSTRAINT uq_r UNIQUE)",
        "INSERT INTO u VALUES (1, '5', 1.5)",
    )
    run_batch(sqlite_engine, "u", lambda b: b.alter_column("q", type_=sa.Integer))
    with sqlite_engine.connect() as conn:
        sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'u'").scalar()
        assert "UNIQUE (q)" in sql and "CONSTRAINT uq_r UNIQUE (r)" in sql
        with pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("INSERT INTO u VALUES (2, 5, 2)")
