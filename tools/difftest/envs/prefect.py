"""env.py for prefect's server chains: prefect's own ``env.py``, on the test database.

Prefect's env.py reads the database URL from its settings, not from the ini: this harness puts
the ini's URL into ``PREFECT_API_DATABASE_CONNECTION_URL`` (with prefect's async drivers,
aiosqlite / asyncpg) and then runs prefect's file as it is, from a worker thread of an event loop
as prefect's server does (``run_sync_in_worker_thread``). That file builds prefect's engine (WAL,
foreign keys on, its own BEGIN), turns foreign keys off around the migrations on SQLite, runs them
in the event loop through ``run_sync`` and points ``version_locations`` at the revisions of the
dialect.
"""

import os
import runpy
from logging.config import fileConfig

from alembic import context

url = context.config.get_main_option("sqlalchemy.url")
scheme, rest = url.split(":", 1)
driver = "sqlite+aiosqlite" if scheme.startswith("sqlite") else "postgresql+asyncpg"
os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = driver + ":" + rest
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")

import anyio  # noqa: E402  (after the settings: prefect reads them on import)
import prefect.server.database as prefect_database  # noqa: E402
from prefect.utilities.asyncutils import run_sync_in_worker_thread  # noqa: E402

# after importing prefect, which sets up its own logging: the ini's, for "Running upgrade" lines
fileConfig(context.config.config_file_name, disable_existing_loggers=False)
PREFECT_ENV = os.path.join(os.path.dirname(prefect_database.__file__), "_migrations", "env.py")


async def main():
    await run_sync_in_worker_thread(runpy.run_path, PREFECT_ENV, run_name="prefect_env")


anyio.run(main)
