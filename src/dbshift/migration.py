"""``dbshift.migration``: the public path of :class:`MigrationContext` (``alembic.migration``)."""

from .runtime.migration import MigrationContext, MigrationInfo, MigrationStep

__all__ = ["MigrationContext", "MigrationInfo", "MigrationStep"]
