"""Per-dialect DDL implementations (``alembic.ddl``): :class:`DefaultImpl` and its subclasses.

Dialect modules are imported on first use, so importing this package stays cheap.
"""

from .impl import DefaultImpl

__all__ = ["DefaultImpl"]
