"""Operations (``alembic.operations``): the ``op`` directives, their objects and implementations."""

from . import ops, toimpl  # noqa: F401  (registers every directive and its implementation)
from .base import AbstractOperations, BatchOperations, Operations

__all__ = ["AbstractOperations", "BatchOperations", "Operations", "ops"]
