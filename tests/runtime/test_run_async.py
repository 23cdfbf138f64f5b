"""``op.run_async``: async callables on the migration's own connection."""

from __future__ import annotations

import asyncio
import io

import pytest
import sqlalchemy as sa

from dbshift import op
from dbshift.migration import MigrationContext
from dbshift.operations import Operations


async def _count(connection, table_name):
    result = await connection.execute(sa.text(f"SELECT count(*) FROM {table_name}"))
    return result.scalar()


def test_run_async_without_async_driver_is_a_value_error(sqlite_engine):
    with sqlite_engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        with Operations.context(ctx), pytest.raises(ValueError, match=r"sqlite\+pysqlite.*not async"):
            op.run_async(_count, "t")


def test_run_async_offline_is_not_implemented():
    ctx = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": io.StringIO()}
    )
    with pytest.raises(NotImplementedError, match="offline"):
        Operations(ctx).run_async(_count, "t")


def test_run_async_on_aiosqlite_shares_the_transaction(tmp_path):
    from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

    seen = {}

    async def insert_and_count(connection, value):
        seen["type"] = type(connection)
        await connection.execute(sa.text("INSERT INTO t (x) VALUES (:v)"), {"v": value})
        return await _count(connection, "t")

    def migrate(sync_conn):
        ctx = MigrationContext.configure(sync_conn)
        with Operations.context(ctx), ctx.begin_transaction():
            op.create_table("t", sa.Column("x", sa.Integer))
            seen["count"] = op.run_async(insert_and_count, value=5)
            op.execute("INSERT INTO t (x) VALUES (6)")

    async def main():
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
        try:
            async with engine.connect() as conn:
                await conn.run_sync(migrate)
                await conn.commit()
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.text("SELECT x FROM t ORDER BY x"))).all()
        finally:
            await engine.dispose()
        return [r[0] for r in rows]

    assert asyncio.run(main()) == [5, 6]
    assert seen == {"type": AsyncConnection, "count": 1}


def test_failed_migration_on_aiosqlite_rolls_back_ddl(tmp_path):
    from sqlalchemy.ext.asyncio import create_async_engine

    def migrate(sync_conn):
        ctx = MigrationContext.configure(sync_conn)
        with Operations.context(ctx), ctx.begin_transaction():
            op.create_table("t", sa.Column("x", sa.Integer))
            raise RuntimeError("fail after DDL")

    async def main():
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
        try:
            async with engine.connect() as conn:
                with pytest.raises(RuntimeError):
                    await conn.run_sync(migrate)
            async with engine.connect() as conn:
                return await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        finally:
            await engine.dispose()

    assert asyncio.run(main()) == []
