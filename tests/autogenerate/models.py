"""Models shared by the autogenerate tests: a rich schema per backend."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def rich_metadata(dialect_name: str, *, schema2: str | None = None) -> sa.MetaData:
    """Common types, defaults, indexes, constraints, comments and enums."""
    md = sa.MetaData(naming_convention=CONVENTION)
    comments = dialect_name != "sqlite"
    mood = sa.Enum("happy", "sad", "meh", name="mood")
    sa.Table(
        "account",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(120), nullable=False, comment="login" if comments else None),
        sa.Column("name", sa.String(50), server_default="anon"),
        sa.Column("balance", sa.Numeric(10, 2), server_default=sa.text("0")),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created", sa.DateTime, server_default=sa.func.now()),
        sa.Column("birthday", sa.Date),
        sa.Column("ratio", sa.Float),
        sa.Column("big", sa.BigInteger),
        sa.Column("small", sa.SmallInteger),
        sa.Column("bio", sa.Text),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("mood", mood),
        sa.UniqueConstraint("email"),
        sa.Index("ix_account_name_created", "name", "created"),
        comment="people" if comments else None,
    )
    sa.Table(
        "address",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.ForeignKey("account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("street", sa.String(100), index=True),
        sa.Column("zip", sa.String(10)),
        sa.UniqueConstraint("street", "zip", name="uq_address_street_zip"),
    )
    if dialect_name == "postgresql":
        sa.Table(
            "pg_things",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("doc", postgresql.JSONB),
            sa.Column("title", sa.String(40)),
            sa.Column("tags", postgresql.ARRAY(sa.String(20))),
            sa.Column("uid", sa.Uuid),
            sa.Column("at", sa.DateTime(timezone=True)),
            sa.Column("gen", sa.Integer, sa.Identity(start=10)),
            sa.Index("ix_pg_things_lower", sa.func.lower(sa.column("title"))),
        )
        if schema2:
            sa.Table(
                "remote",
                md,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("account_id", sa.ForeignKey("account.id")),
                sa.Column("kind", sa.Enum("x", "y", name="kind", schema=schema2)),
                schema=schema2,
            )
    else:
        sa.Table(
            "json_things",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("doc", sa.JSON),
        )
    return md
