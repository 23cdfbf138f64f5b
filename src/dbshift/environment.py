"""``dbshift.environment``: the public path of :class:`EnvironmentContext` (``alembic.environment``)."""

from .runtime.environment import EnvironmentContext

__all__ = ["EnvironmentContext"]
