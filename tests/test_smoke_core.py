"""First end-to-end checks of the operation core on every live backend."""

import sqlalchemy as sa


def test_create_table_add_column_and_insert_round_trip(engine, live_op):
    with live_op(engine) as op:
        table = op.create_table(
            "account",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
        )
        op.add_column("account", sa.Column("score", sa.Integer, server_default="7"))
        op.bulk_insert(table, [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
    insp = sa.inspect(engine)
    assert [c["name"] for c in insp.get_columns("account")] == ["id", "name", "score"]
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, name, score FROM account ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "a", 7), (2, "b", 7)]


def test_offline_add_column_postgresql(offline_op):
    op, sql = offline_op("postgresql")
    op.add_column("t", sa.Column("x", sa.Integer, nullable=False))
    assert sql == ["ALTER TABLE t ADD COLUMN x INTEGER NOT NULL"]
