"""Operations (``alembic.operations``): the ``op`` directives, their objects and implementations."""

from . import ops, toimpl  # noqa: F401  (registers every directive and its implementation)
from .base import AbstractOperations, BatchOperations, Operations

# Kept for compatibility: plugins (alembic_utils) import the op base class from here, as
# Alembic's ``alembic.operations`` exports it.
from .ops import MigrateOperation, MigrationScript

__all__ = [
    "AbstractOperations",
    "BatchOperations",
    "MigrateOperation",
    "MigrationScript",
    "Operations",
    "ops",
]
