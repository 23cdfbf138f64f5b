"""Runtime (``alembic.runtime``): the migration and environment contexts."""
