"""The model/database pairs of the differential render test (``test_render_vs_alembic.py``).

Each case builds a ``base`` model (created in the database) and a ``target`` model (given to
autogenerate as ``target_metadata``) for one backend. Only SQLAlchemy is used here: the module
is imported by the driver under Alembic's interpreter and under dbshift's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

ALL = ("sqlite", "postgresql", "mariadb")
SERVERS = ("postgresql", "mariadb")
PG = ("postgresql",)

CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Builder = Callable[[sa.MetaData, str], None]


class Money(sa.types.TypeDecorator):
    """A user type (rendered with ``user_module_prefix``)."""

    impl = sa.Numeric(12, 2)
    cache_ok = True


@dataclass
class Case:
    """One change between a database and a model."""

    name: str
    base: Builder
    target: Builder
    backends: tuple[str, ...] = ALL
    opts: dict[str, Any] = field(default_factory=dict)
    #: A second target MetaData (``target_metadata`` is then a list of two).
    target2: Builder | None = None
    convention: bool = False
    #: Schemas to create first (PostgreSQL).
    schemas: tuple[str, ...] = ()
    #: Whether the generated file can run as is (custom prefixes need imports the template lacks).
    runnable: bool = True

    def build(self, backend: str) -> tuple[list[sa.MetaData], list[sa.MetaData]]:
        """The base metadata list and the target metadata list for ``backend``."""
        kw = {"naming_convention": CONVENTION} if self.convention else {}
        base, target = sa.MetaData(**kw), sa.MetaData(**kw)
        self.base(base, backend)
        self.target(target, backend)
        targets = [target]
        if self.target2 is not None:
            second = sa.MetaData(**kw)
            self.target2(second, backend)
            targets.append(second)
        return [base], targets

    def setup_sql(self, backend: str) -> list[str]:
        """Statements run before the base model is created."""
        if backend == "postgresql":
            return [f"CREATE SCHEMA {s}" for s in self.schemas]
        return []

    def options(self, backend: str) -> dict[str, Any]:
        """``context.configure()`` options."""
        opts: dict[str, Any] = {"compare_type": True, "compare_server_default": True}
        if self.schemas:
            opts["include_schemas"] = True
        opts.update(self.opts)
        return opts


CASES: list[Case] = []


def case(name: str, **kw: Any) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register ``fn(md, backend, changed)`` as a case: base = changed False, target = True."""

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        CASES.append(
            Case(name, lambda md, b: fn(md, b, False), lambda md, b: fn(md, b, True), **kw)
        )
        return fn

    return decorate


def _nothing(md: sa.MetaData, backend: str) -> None:
    return None


def _comments(backend: str) -> bool:
    return backend != "sqlite"


# ---------------------------------------------------------------------------------------------
# tables


def _rich_table(md: sa.MetaData, backend: str, name: str = "account", schema: str | None = None
                ) -> sa.Table:
    comments = _comments(backend)
    cols: list[Any] = [
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
        sa.Column("at", sa.DateTime(timezone=True)),
        sa.Column("parent_id", sa.Integer),
        sa.UniqueConstraint("email", name=f"uq_{name}_email"),
        sa.CheckConstraint("balance >= 0", name=f"ck_{name}_balance"),
        sa.ForeignKeyConstraint(["parent_id"], [f"{schema + '.' if schema else ''}{name}.id"],
                                name=f"fk_{name}_parent", ondelete="CASCADE"),
        sa.Index(f"ix_{name}_name_created", "name", "created"),
    ]
    return sa.Table(name, md, *cols, schema=schema, comment="people" if comments else None)


@case("create_table")
def _create_table(md: sa.MetaData, backend: str, changed: bool) -> None:
    if changed:
        _rich_table(md, backend)


@case("drop_table")
def _drop_table(md: sa.MetaData, backend: str, changed: bool) -> None:
    if not changed:
        _rich_table(md, backend)


@case("create_table_convention", convention=True)
def _create_table_convention(md: sa.MetaData, backend: str, changed: bool) -> None:
    sa.Table("owner", md, sa.Column("id", sa.Integer, primary_key=True))
    if changed:
        sa.Table(
            "pet", md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("owner_id", sa.ForeignKey("owner.id"), nullable=False, index=True),
            sa.Column("tag", sa.String(20), unique=True),
            sa.Column("weight", sa.Integer),
            sa.CheckConstraint("weight > 0", name="weight_pos"),
        )


@case("drop_table_convention", convention=True)
def _drop_table_convention(md: sa.MetaData, backend: str, changed: bool) -> None:
    _create_table_convention(md, backend, not changed)


def _pk_variants(md: sa.MetaData) -> None:
    sa.Table("plain", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.Integer))
    sa.Table("noauto", md, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))
    sa.Table(
        "composite", md,
        sa.Column("a", sa.Integer, primary_key=True),
        sa.Column("b", sa.String(10), primary_key=True),
    )
    sa.Table("bigid", md, sa.Column("id", sa.BigInteger, primary_key=True))
    sa.Table("strid", md, sa.Column("code", sa.String(8), primary_key=True))


@case("create_table_keys")
def _create_keys(md: sa.MetaData, backend: str, changed: bool) -> None:
    if changed:
        _pk_variants(md)


@case("drop_table_keys")
def _drop_keys(md: sa.MetaData, backend: str, changed: bool) -> None:
    if not changed:
        _pk_variants(md)


def _identity_table(md: sa.MetaData, backend: str) -> None:
    sa.Table(
        "ident", md,
        sa.Column("id", sa.Integer, sa.Identity(always=False, start=10), primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True, increment=5)),
        sa.Column("total", sa.Integer),
        sa.Column("double", sa.Integer, sa.Computed("total * 2", persisted=True)),
    )


@case("create_table_identity", backends=PG)
def _create_identity(md: sa.MetaData, backend: str, changed: bool) -> None:
    if changed:
        _identity_table(md, backend)


@case("drop_table_identity", backends=PG)
def _drop_identity(md: sa.MetaData, backend: str, changed: bool) -> None:
    if not changed:
        _identity_table(md, backend)


def _computed_table(md: sa.MetaData, backend: str) -> None:
    sa.Table(
        "calc", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("price", sa.Integer),
        sa.Column("doubled", sa.Integer, sa.Computed("price * 2")),
    )


@case("create_table_computed")
def _create_computed(md: sa.MetaData, backend: str, changed: bool) -> None:
    if changed:
        _computed_table(md, backend)


@case("drop_table_computed")
def _drop_computed(md: sa.MetaData, backend: str, changed: bool) -> None:
    if not changed:
        _computed_table(md, backend)


def _pg_types(md: sa.MetaData) -> None:
    sa.Table(
        "pgtypes", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("doc", postgresql.JSONB),
        sa.Column("js", sa.JSON),
        sa.Column("tags", postgresql.ARRAY(sa.String(20))),
        sa.Column("grid", postgresql.ARRAY(sa.Integer, dimensions=2)),
        sa.Column("uid", sa.Uuid),
        sa.Column("span", sa.Interval),
        sa.Column("net", postgresql.INET),
        sa.Column("money", postgresql.MONEY),
        sa.Column("ts", postgresql.TIMESTAMP(timezone=True, precision=3)),
        sa.Column("bits", postgresql.BIT(3)),
        sa.Column("tsv", postgresql.TSVECTOR),
        sa.Column("r", postgresql.INT4RANGE),
    )


@case("create_table_pg_types", backends=PG)
def _create_pg_types(md: sa.MetaData, backend: str, changed: bool) -> None:
    if changed:
        _pg_types(md)


@case("drop_table_pg_types", backends=PG)
def _drop_pg_types(md: sa.MetaData, backend: str, changed: bool) -> None:
    if not changed:
        _pg_types(md)


def _mysql_table(md: sa.MetaData) -> None:
    sa.Table(
        "mytypes", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tiny", mysql.TINYINT(1)),
        sa.Column("uns", mysql.INTEGER(unsigned=True)),
        sa.Column("name", mysql.VARCHAR(30, charset="utf8mb4", collation="utf8mb4_bin")),
        sa.Column("longtext", mysql.LONGTEXT),
        sa.Column("kind", mysql.ENUM("a", "b")),
        sa.Column("stamp", mysql.TIMESTAMP(fsp=3), server_default=sa.text("CURRENT_TIMESTAMP(3)")),
        sa.Column("js", sa.JSON),
        mariadb_engine="InnoDB",
        mariadb_default_charset="utf8mb4",
        mariadb_collate="utf8mb4_unicode_ci",
        comment="typed",
    )


@case("create_table_mysql_types", backends=("mariadb",))
def _create_mysql(md: sa.MetaData, backend: str, changed: bool) -> None:
    if changed:
        _mysql_table(md)


@case("drop_table_mysql_types", backends=("mariadb",))
def _drop_mysql(md: sa.MetaData, backend: str, changed: bool) -> None:
    if not changed:
        _mysql_table(md)


# ---------------------------------------------------------------------------------------------
# columns


def _item(md: sa.MetaData, backend: str, **cols: Any) -> sa.Table:
    """Table ``item`` with ``id``, ``name``, ``qty`` and ``note`` unless replaced/removed."""
    base = {
        "name": sa.Column("name", sa.String(50), nullable=False),
        "qty": sa.Column("qty", sa.Integer, server_default="1"),
        "note": sa.Column("note", sa.String(20)),
    }
    for key, col in cols.items():
        if col is None:
            base.pop(key, None)
        else:
            base[key] = col
    return sa.Table("item", md, sa.Column("id", sa.Integer, primary_key=True), *base.values())


@case("add_column")
def _add_column(md: sa.MetaData, backend: str, changed: bool) -> None:
    if not changed:
        _item(md, backend)
        return
    comments = _comments(backend)
    _item(
        md, backend,
        phone=sa.Column("phone", sa.String(20), nullable=False, server_default="n/a",
                        comment="dial" if comments else None),
        score=sa.Column("score", sa.Numeric(5, 1)),
        flag=sa.Column("flag", sa.Boolean, server_default=sa.false()),
        when=sa.Column("when", sa.DateTime, server_default=sa.func.now()),
    )


@case("drop_column")
def _drop_column(md: sa.MetaData, backend: str, changed: bool) -> None:
    _add_column(md, backend, not changed)


@case("alter_type")
def _alter_type(md: sa.MetaData, backend: str, changed: bool) -> None:
    _item(
        md, backend,
        name=sa.Column("name", sa.String(80 if changed else 50), nullable=False),
        note=sa.Column("note", sa.Text if changed else sa.String(20)),
        qty=sa.Column("qty", sa.BigInteger if changed else sa.Integer, server_default="1"),
    )


@case("alter_nullable")
def _alter_nullable(md: sa.MetaData, backend: str, changed: bool) -> None:
    _item(
        md, backend,
        name=sa.Column("name", sa.String(50), nullable=changed),
        note=sa.Column("note", sa.String(20), nullable=not changed),
    )


@case("alter_server_default")
def _alter_default(md: sa.MetaData, backend: str, changed: bool) -> None:
    _item(
        md, backend,
        qty=sa.Column("qty", sa.Integer, server_default="5" if changed else "1"),
        note=sa.Column("note", sa.String(20), server_default=None if changed else "x"),
        name=sa.Column("name", sa.String(50), nullable=False,
                       server_default="who" if changed else None),
    )


@case("alter_comment", backends=SERVERS)
def _alter_comment(md: sa.MetaData, backend: str, changed: bool) -> None:
    _item(
        md, backend,
        name=sa.Column("name", sa.String(50), nullable=False,
                       comment="full name" if changed else None),
        note=sa.Column("note", sa.String(20), comment=None if changed else "free text"),
        qty=sa.Column("qty", sa.Integer, server_default="1",
                      comment="how many" if changed else "count"),
    )


@case("alter_several")
def _alter_several(md: sa.MetaData, backend: str, changed: bool) -> None:
    comments = _comments(backend)
    _item(
        md, backend,
        name=sa.Column("name", sa.String(60 if changed else 50), nullable=changed,
                       server_default="z" if changed else None,
                       comment=("n" if changed else None) if comments else None),
    )


@case("table_comment", backends=SERVERS)
def _table_comment(md: sa.MetaData, backend: str, changed: bool) -> None:
    sa.Table("c_add", md, sa.Column("id", sa.Integer, primary_key=True),
             comment="new" if changed else None)
    sa.Table("c_change", md, sa.Column("id", sa.Integer, primary_key=True),
             comment="after" if changed else "before")
    sa.Table("c_drop", md, sa.Column("id", sa.Integer, primary_key=True),
             comment=None if changed else "gone")


# ---------------------------------------------------------------------------------------------
# indexes and constraints


@case("index_add_drop")
def _index_add_drop(md: sa.MetaData, backend: str, changed: bool) -> None:
    t = _item(md, backend)
    if changed:
        sa.Index("ix_item_name", t.c.name)
        sa.Index("ix_item_qty_note", t.c.qty, t.c.note, unique=True)
    else:
        sa.Index("ix_item_note", t.c.note)


@case("index_expression")
def _index_expression(md: sa.MetaData, backend: str, changed: bool) -> None:
    t = _item(md, backend)
    if changed:
        sa.Index("ix_item_lower_name", sa.func.lower(t.c.name))
        sa.Index("ix_item_qty_desc", t.c.qty.desc())
        sa.Index("ix_item_sum", t.c.qty + 1, t.c.name)


@case("index_expression_drop", backends=("sqlite", "postgresql"))
def _index_expression_drop(md: sa.MetaData, backend: str, changed: bool) -> None:
    _index_expression(md, backend, not changed)


@case("index_pg_options", backends=PG)
def _index_pg(md: sa.MetaData, backend: str, changed: bool) -> None:
    t = _item(md, backend)
    if changed:
        sa.Index("ix_item_partial", t.c.name, postgresql_where=t.c.qty > 0)
        sa.Index("ix_item_incl", t.c.name, postgresql_include=["note"])
        sa.Index("ix_item_gin", t.c.note, postgresql_using="hash")


@case("index_pg_options_drop", backends=PG)
def _index_pg_drop(md: sa.MetaData, backend: str, changed: bool) -> None:
    _index_pg(md, backend, not changed)


@case("index_sqlite_partial", backends=("sqlite",))
def _index_sqlite(md: sa.MetaData, backend: str, changed: bool) -> None:
    t = _item(md, backend)
    if changed:
        sa.Index("ix_item_partial", t.c.name, sqlite_where=t.c.qty > 0)


@case("index_sqlite_partial_drop", backends=("sqlite",))
def _index_sqlite_drop(md: sa.MetaData, backend: str, changed: bool) -> None:
    _index_sqlite(md, backend, not changed)


@case("unique_add_drop")
def _unique(md: sa.MetaData, backend: str, changed: bool) -> None:
    extra = (
        [sa.UniqueConstraint("name", "qty", name="uq_item_name_qty")] if changed
        else [sa.UniqueConstraint("note", name="uq_item_note")]
    )
    sa.Table(
        "item", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("qty", sa.Integer),
        sa.Column("note", sa.String(20)),
        *extra,
    )


@case("unique_pg_nulls", backends=PG)
def _unique_pg(md: sa.MetaData, backend: str, changed: bool) -> None:
    extra = [] if changed else [
        sa.UniqueConstraint("name", name="uq_item_name"),
        sa.UniqueConstraint("qty", name="uq_item_qty", postgresql_nulls_not_distinct=True),
    ]
    sa.Table(
        "item", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("qty", sa.Integer),
        *extra,
    )


@case("foreign_key_add_drop")
def _fk(md: sa.MetaData, backend: str, changed: bool) -> None:
    sa.Table("owner", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("code", sa.String(10), unique=True))
    if changed:
        sa.Table(
            "pet", md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("owner_id", sa.Integer),
            sa.Column("owner_code", sa.String(10)),
            sa.ForeignKeyConstraint(["owner_id"], ["owner.id"], name="fk_pet_owner",
                                    ondelete="CASCADE", onupdate="SET NULL"),
            sa.ForeignKeyConstraint(["owner_code"], ["owner.code"], name="fk_pet_code"),
        )
    else:
        sa.Table(
            "pet", md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("owner_id", sa.Integer),
            sa.Column("owner_code", sa.String(10)),
            sa.ForeignKeyConstraint(["owner_code"], ["owner.code"], name="fk_pet_oldcode"),
        )


@case("foreign_key_pg_options", backends=PG)
def _fk_pg(md: sa.MetaData, backend: str, changed: bool) -> None:
    sa.Table("owner", md, sa.Column("id", sa.Integer, primary_key=True))
    fk = [sa.ForeignKeyConstraint(["owner_id"], ["owner.id"], name="fk_pet_owner",
                                  deferrable=True, initially="DEFERRED", match="FULL")]
    sa.Table(
        "pet", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_id", sa.Integer),
        *(fk if changed else []),
    )


# ---------------------------------------------------------------------------------------------
# enums, schemas, several metadata


@case("enum_non_native")
def _enum_plain(md: sa.MetaData, backend: str, changed: bool) -> None:
    if changed:
        sa.Table(
            "ticket", md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("state", sa.Enum("open", "closed", name="ticket_state",
                                       native_enum=False, create_constraint=True)),
            sa.Column("ok", sa.Boolean(create_constraint=True, name="ck_ok")),
        )


@case("enum_native_new_table")
def _enum_native(md: sa.MetaData, backend: str, changed: bool) -> None:
    if changed:
        sa.Table(
            "ticket", md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("state", sa.Enum("open", "closed", name="ticket_state")),
        )


@case("enum_native_drop_table")
def _enum_native_drop(md: sa.MetaData, backend: str, changed: bool) -> None:
    _enum_native(md, backend, not changed)


@case("enum_add_column", backends=PG)
def _enum_add_column(md: sa.MetaData, backend: str, changed: bool) -> None:
    cols = [sa.Column("state", sa.Enum("open", "closed", name="ticket_state"))] if changed else []
    sa.Table("ticket", md, sa.Column("id", sa.Integer, primary_key=True), *cols)


@case("enum_new_value", backends=PG)
def _enum_value(md: sa.MetaData, backend: str, changed: bool) -> None:
    values = ("open", "closed", "held") if changed else ("open", "closed")
    sa.Table("ticket", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("state", sa.Enum(*values, name="ticket_state")))


@case("schema_tables", backends=PG, schemas=("s2",))
def _schema(md: sa.MetaData, backend: str, changed: bool) -> None:
    sa.Table("local", md, sa.Column("id", sa.Integer, primary_key=True))
    cols = [sa.Column("extra", sa.String(10), comment="x")] if changed else []
    t = sa.Table(
        "remote", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("local_id", sa.Integer),
        sa.Column("name", sa.String(20 if changed else 10)),
        *cols,
        schema="s2",
    )
    if changed:
        sa.Index("ix_remote_name", t.c.name)
        t.append_constraint(
            sa.ForeignKeyConstraint(["local_id"], ["local.id"], name="fk_remote_local")
        )
        sa.Table("made", md, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("remote_id", sa.ForeignKey("s2.remote.id")),
                 schema="s2", comment="in s2")


@case("schema_drop_table", backends=PG, schemas=("s2",))
def _schema_drop(md: sa.MetaData, backend: str, changed: bool) -> None:
    sa.Table("local", md, sa.Column("id", sa.Integer, primary_key=True))
    if not changed:
        sa.Table("gone", md, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("local_id", sa.ForeignKey("local.id")),
                 sa.Column("tag", sa.String(5), unique=True), schema="s2")


def _second(md: sa.MetaData, backend: str) -> None:
    sa.Table("audit", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("what", sa.String(40), nullable=False))


@case("several_metadata", target2=_second)
def _several(md: sa.MetaData, backend: str, changed: bool) -> None:
    _item(md, backend, note=sa.Column("note", sa.String(40)) if changed else None)


# ---------------------------------------------------------------------------------------------
# options: batch, prefixes, variants


@case("batch_mode", opts={"render_as_batch": True})
def _batch(md: sa.MetaData, backend: str, changed: bool) -> None:
    comments = _comments(backend)
    if changed:
        t = _item(
            md, backend,
            name=sa.Column("name", sa.String(80), nullable=True),
            extra=sa.Column("extra", sa.Integer, server_default="0"),
        )
        sa.Index("ix_item_extra", t.c.extra)
        t.append_constraint(sa.UniqueConstraint("qty", name="uq_item_qty"))
        t.comment = "items" if comments else None
        sa.Table("fresh", md, sa.Column("id", sa.Integer, primary_key=True))
    else:
        _item(md, backend)


@case("batch_alter_columns", opts={"render_as_batch": True})
def _batch_alter(md: sa.MetaData, backend: str, changed: bool) -> None:
    _item(
        md, backend,
        name=sa.Column("name", sa.String(80 if changed else 50), nullable=changed),
        qty=sa.Column("qty", sa.Integer, server_default="5" if changed else "1"),
        note=sa.Column("note", sa.String(20), nullable=not changed,
                       server_default="n" if changed else None),
    )


@case("batch_mode_drops", opts={"render_as_batch": True})
def _batch_drops(md: sa.MetaData, backend: str, changed: bool) -> None:
    t = _item(md, backend, note=None if changed else sa.Column("note", sa.String(20)),
              extra=sa.Column("extra", sa.Integer) if changed else None)
    if not changed:
        sa.Index("ix_item_note", t.c.note)


@case("batch_mode_constraints", opts={"render_as_batch": True})
def _batch_constraints(md: sa.MetaData, backend: str, changed: bool) -> None:
    _fk(md, backend, changed)


@case("prefixes", runnable=False,
      opts={"sqlalchemy_module_prefix": "sqla.", "user_module_prefix": "mytypes."})
def _prefixes(md: sa.MetaData, backend: str, changed: bool) -> None:
    cols = [
        sa.Column("price", Money, server_default=sa.text("0")),
        sa.Column("label", sa.String(10).with_variant(sa.String(20), "postgresql")),
        sa.Column("at", sa.DateTime, server_default=sa.func.now()),
    ] if changed else []
    _item(md, backend, **{c.name: c for c in cols})
    if changed:
        sa.Table("priced", md, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("price", Money, nullable=False),
                 sa.CheckConstraint("id > 0", name="ck_priced_id"))


@case("user_type_default_prefix")
def _user_type(md: sa.MetaData, backend: str, changed: bool) -> None:
    cols = [sa.Column("price", Money)] if changed else []
    _item(md, backend, **{c.name: c for c in cols})


def _exclude_table(md: sa.MetaData) -> None:
    sa.Table(
        "booking", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("during", postgresql.TSRANGE),
        sa.Column("label", sa.Text, server_default=sa.text("'x'::text")),
        postgresql.ExcludeConstraint(("during", "&&"), name="no_overlap", using="gist",
                                     where=sa.text("id > 0")),
    )


@case("create_table_exclude", backends=PG)
def _create_exclude(md: sa.MetaData, backend: str, changed: bool) -> None:
    if changed:
        _exclude_table(md)


@case("drop_table_exclude", backends=PG)
def _drop_exclude(md: sa.MetaData, backend: str, changed: bool) -> None:
    if not changed:
        _exclude_table(md)


def _misc_types(md: sa.MetaData, backend: str) -> None:
    comments = _comments(backend)
    sa.Table(
        "misc", md,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("u", sa.Unicode(40), server_default="it's"),
        sa.Column("f", sa.Float()),
        sa.Column("n", sa.Numeric(8, 3, asdecimal=False)),
        sa.Column("t", sa.Time),
        sa.Column("b", sa.LargeBinary()),
        sa.Column("big_text", sa.Text(1000) if backend != "postgresql" else sa.Text()),
        sa.Column("ratio", sa.Numeric(5, 2), server_default=sa.text("1.5")),
        sa.Column("flag", sa.Boolean, server_default=sa.text("1") if backend != "postgresql"
                  else sa.text("true"), nullable=False),
        sa.Column("label", sa.String(10), comment="it's \"quoted\"" if comments else None),
        comment="misc 'types'" if comments else None,
    )


@case("create_table_misc_types")
def _create_misc(md: sa.MetaData, backend: str, changed: bool) -> None:
    if changed:
        _misc_types(md, backend)


@case("drop_table_misc_types")
def _drop_misc(md: sa.MetaData, backend: str, changed: bool) -> None:
    if not changed:
        _misc_types(md, backend)
