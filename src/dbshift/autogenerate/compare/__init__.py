"""Comparators: the live database against the target metadata, as operation objects.

Importing this package registers the built-in comparators (one module per kind) in
:data:`dbshift.autogenerate.registry.comparators`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...operations.ops import UpgradeOps
from ...runtime.plugins import load_entry_point_plugins
from . import columns, comments, constraints, enums, tables, types_defaults  # noqa: F401

if TYPE_CHECKING:
    from ..context import AutogenContext


def populate_upgrade_ops(autogen_context: AutogenContext, upgrade_ops: UpgradeOps) -> None:
    """Run every enabled ``"autogenerate"`` comparator, filling ``upgrade_ops``.

    Plugins published under the ``alembic.plugins``/``dbshift.plugins`` entry points are loaded
    the first time this runs.
    """
    load_entry_point_plugins()
    autogen_context.table_key_to_table  # noqa: B018 - duplicate table keys fail early
    autogen_context.dispatch("autogenerate")(autogen_context, upgrade_ops)


#: Alembic's private name for :func:`populate_upgrade_ops` (hooks and plugin tests call it).
_produce_net_changes = populate_upgrade_ops
