"""Autogenerate: compare the models' ``MetaData`` with the database and write the difference.

``compare_metadata`` gives diff tuples, ``produce_migrations`` a ``MigrationScript`` of operation
objects (the same ones scripts invoke), ``render_python_code`` the Python for them.
``RevisionContext`` drives ``dbshift revision --autogenerate`` and ``dbshift check``.
Comparators are plugins in :data:`comparators`; renderers are in :data:`renderers`.
"""

from ..operations.ops import (  # the ENUM type ops, here before they were directives
    AddEnumValueOp,
    CreateEnumTypeOp,
    DropEnumTypeOp,
    RecreateEnumTypeOp,
)
from .api import (
    RevisionContext,
    _render_migration_diffs,  # noqa: F401 - kept for the Alembic ecosystem
    compare_metadata,
    fill_migration_script,
    produce_migrations,
    render_into_template_args,
    run_autogenerate,
)
from .compare import _produce_net_changes  # noqa: F401 - kept for the Alembic ecosystem
from .context import AutogenContext
from .registry import ComparatorRegistry, DispatchPriority, PriorityDispatchResult, comparators
from .render import render_op, render_op_text, render_python_code, renderers
from .rewriter import Rewriter

__all__ = [
    "AddEnumValueOp",
    "AutogenContext",
    "ComparatorRegistry",
    "CreateEnumTypeOp",
    "DispatchPriority",
    "DropEnumTypeOp",
    "PriorityDispatchResult",
    "RecreateEnumTypeOp",
    "RevisionContext",
    "Rewriter",
    "compare_metadata",
    "comparators",
    "fill_migration_script",
    "produce_migrations",
    "render_into_template_args",
    "render_op",
    "render_op_text",
    "render_python_code",
    "renderers",
    "run_autogenerate",
]
