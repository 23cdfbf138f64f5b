"""Round trips on SQLite, PostgreSQL and MariaDB.

For a rich model, ``create_all()`` then compare is empty. For each kind of change, the produced
upgrade ops, invoked one by one, make the next compare empty, and the downgrade ops bring the
database back to the reflected starting point.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from dbshift.autogenerate import compare_metadata, produce_migrations

from .conftest import applicable, apply_ops, configure, snapshot
from .models import CONVENTION, rich_metadata

OPTS = {"compare_type": True, "compare_server_default": True}


def test_rich_model_compares_empty(engine: sa.Engine, create: Any) -> None:
    is_pg = engine.dialect.name == "postgresql"
    metadata = rich_metadata(engine.dialect.name, schema2="s2" if is_pg else None)
    if is_pg:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE SCHEMA s2")
    create(engine, metadata)
    with engine.connect() as conn:
        ctx = configure(conn, metadata, include_schemas=is_pg, **OPTS)
        assert compare_metadata(ctx, metadata) == []


def model(dialect: str, change: str | None = None) -> sa.MetaData:
    """A small model; ``change`` names the one aspect that differs from the base."""
    md = sa.MetaData(naming_convention=CONVENTION)
    comments = dialect != "sqlite"
    pg = dialect == "postgresql"
    moods = ["happy", "sad", "meh"] if change == "enum_value" else ["happy", "sad"]
    account_cols: list[Any] = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=change != "nullable"),
        sa.Column("code", sa.String(20 if change == "type" else 10)),
        sa.Column(
            "status", sa.String(10), server_default="old" if change == "default" else "new"
        ),
        sa.Column(
            "note",
            sa.String(20),
            comment=("changed" if change == "comment" else "first") if comments else None,
        ),
    ]
    if change != "drop_column":
        account_cols.append(sa.Column("fax", sa.String(20)))
    if change == "add_column":
        account_cols.append(sa.Column("nickname", sa.String(30), server_default="x"))
    if pg:
        account_cols.append(sa.Column("mood", sa.Enum(*moods, name="mood")))
        if change == "enum_new":
            account_cols.append(sa.Column("color", sa.Enum("red", "blue", name="color")))
    account_args: list[Any] = [sa.Index("ix_account_status", "status")]
    if change == "index":
        account_args = [sa.Index("ix_account_status", "status", "code")]
    if change == "check":
        account_args.append(sa.CheckConstraint("length(code) > 1", name="code_len"))
    sa.Table(
        "account",
        md,
        *account_cols,
        *account_args,
        comment=("accounts v2" if change == "comment" else "accounts") if comments else None,
    )
    address_args: list[Any] = []
    if change == "unique":
        address_args.append(sa.UniqueConstraint("street", "zip"))
    sa.Table(
        "address",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_id",
            sa.ForeignKey("account.id", ondelete="SET NULL" if change == "fk" else "CASCADE"),
        ),
        sa.Column("street", sa.String(100)),
        sa.Column("zip", sa.String(10), index=change != "drop_index"),
        *address_args,
    )
    if change != "drop_table":
        sa.Table(
            "legacy",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("account_id", sa.ForeignKey("account.id")),
            sa.Column("label", sa.String(30), unique=True),
        )
    if change == "add_table":
        sa.Table(
            "tag",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("account_id", sa.ForeignKey("account.id"), nullable=False),
            sa.Column("word", sa.String(30), index=True),
            *([sa.Column("kind", sa.Enum("a", "b", name="tagkind"))] if pg else []),
        )
    return md


CHANGES = [
    "add_table", "drop_table", "add_column", "drop_column", "nullable", "type", "default",
    "index", "drop_index", "unique", "fk", "comment", "enum_value", "enum_new", "check",
]


@pytest.mark.parametrize("engine, change", applicable(CHANGES), indirect=["engine"])
def test_change_round_trip(engine: sa.Engine, create: Any, change: str) -> None:
    dialect = engine.dialect.name
    opts: dict[str, Any] = dict(OPTS)
    if change == "check":
        opts["autogenerate_plugins"] = ["dbshift.autogenerate.*", "dbshift.ext.checkconstraint_byname"]
    base, target = model(dialect), model(dialect, change)
    create(engine, base)
    before = snapshot(engine)
    with engine.connect() as conn:
        script = produce_migrations(configure(conn, target, **opts), target)
    assert script.upgrade_ops.ops, f"no difference detected for {change}"
    apply_ops(engine, script.upgrade_ops, target)
    with engine.connect() as conn:
        assert compare_metadata(configure(conn, target, **opts), target) == []
    apply_ops(engine, script.downgrade_ops, base)
    assert snapshot(engine) == before
    with engine.connect() as conn:
        assert compare_metadata(configure(conn, base, **opts), base) == []
