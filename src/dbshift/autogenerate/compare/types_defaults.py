"""Column types, server defaults, computed and identity columns.

Types are compared as the dialect compiles them: the type names (or synonyms from the dialect
impl's ``type_synonyms``) must match, and only arguments present on both sides are compared, so
``VARCHAR`` in the model matches ``VARCHAR(50)`` in the database. Server defaults are compared
only when ``compare_server_default`` is set, after per-dialect normalisation.
"""

from __future__ import annotations

import logging
import re
import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy import Computed, DefaultClause, Identity
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import NullType

from ...operations.ops import AlterColumnOp
from ..reflection import ReflectedColumn
from ..registry import DispatchPriority, PriorityDispatchResult, comparators

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

    from ..context import AutogenContext

TYPES_PLUGIN = "dbshift.autogenerate.types"
DEFAULTS_PLUGIN = "dbshift.autogenerate.defaults"
log = logging.getLogger("alembic.autogenerate.compare.types")  # Alembic's logger name (README)

_ARGS = re.compile(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)")


class TypeSpec:
    """A compiled type split into its name, positional arguments and extracted keywords."""

    __slots__ = ("name", "args", "extras")

    def __init__(self, compiled: str, arg_extract: tuple[str, ...] | list[str]) -> None:
        lowered = compiled.lower()
        extras: dict[int, str] = {}
        for pos, pattern in enumerate(arg_extract):
            match = re.search(pattern, lowered)
            if match:
                extras[pos] = match.group(1)
                lowered = lowered[: match.start()] + lowered[match.end():]
        args: list[str] = []
        match = _ARGS.search(lowered)
        if match:
            args = [_split_arg(a) for a in _split_top(match.group(1))]
            lowered = lowered[: match.start()] + lowered[match.end():]
        # an array's dimensions are not kept by the database (PostgreSQL): INT[][] is INT[]
        self.name = re.sub(r"(\[\])+", "[]", " ".join(lowered.upper().split()))
        self.args = args
        self.extras = extras


def _split_top(text_: str) -> list[str]:
    parts, depth, current = [], 0, ""
    quoted = False
    for char in text_:
        if char == "'":
            quoted = not quoted
        if not quoted:
            depth += char == "("
            depth -= char == ")"
            if char == "," and depth == 0:
                parts.append(current)
                current = ""
                continue
        current += char
    if current.strip():
        parts.append(current)
    return parts


def _split_arg(arg: str) -> str:
    return arg.strip().strip("'").strip()


def compile_type(type_: Any, dialect: Dialect) -> str | None:
    """``type_`` as ``dialect`` spells it in DDL, or None when it cannot be compiled there."""
    try:
        return type_.compile(dialect=dialect)
    except (sa_exc.CompileError, sa_exc.UnsupportedCompilationError, NotImplementedError, TypeError):
        return None


def types_differ(autogen_context: AutogenContext, conn_type: Any, metadata_type: Any) -> bool:
    """The default type comparison: names (or synonyms) and the arguments both sides have."""
    dialect = autogen_context.dialect
    assert dialect is not None
    conn_compiled = compile_type(conn_type, dialect)
    meta_compiled = compile_type(metadata_type, dialect)
    if conn_compiled is None or meta_compiled is None:
        return conn_type._type_affinity is not metadata_type._type_affinity
    impl = autogen_context.impl
    arg_extract = tuple(getattr(impl, "type_arg_extract", ()) or ())
    conn = TypeSpec(conn_compiled, arg_extract)
    meta = TypeSpec(meta_compiled, arg_extract)
    if conn.name != meta.name:
        synonyms = getattr(impl, "type_synonyms", ())
        if not any(conn.name in group and meta.name in group for group in synonyms):
            return True
    if conn.args and meta.args and conn.args != meta.args:
        return True
    for key in set(conn.extras) & set(meta.extras):
        if conn.extras[key] != meta.extras[key]:
            return True
    return False


@comparators.dispatch_for("column", plugin=TYPES_PLUGIN, element="types")
def compare_type(
    autogen_context: AutogenContext,
    alter_column_op: AlterColumnOp,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: ReflectedColumn,
    metadata_col: Any,
) -> None:
    """Type changes (``compare_type``: True by default, False, or a callable)."""
    setting = autogen_context.opts.get("compare_type", True)
    if setting is False:
        return
    conn_type = conn_col.data["type"]
    metadata_type = metadata_col.type
    if isinstance(conn_type, NullType) or isinstance(metadata_type, NullType):
        return
    if callable(setting):
        verdict = setting(
            autogen_context.migration_context, conn_col, metadata_col, conn_type, metadata_type
        )
        if verdict is not None:
            if verdict:
                _type_changed(alter_column_op, conn_col, metadata_col)
            return
    impl_hook = getattr(autogen_context.impl, "compare_type", None)
    if impl_hook is not None:
        verdict = impl_hook(conn_col, metadata_col)
        if verdict is not None:
            if verdict:
                _type_changed(alter_column_op, conn_col, metadata_col)
            return
    if types_differ(autogen_context, conn_type, metadata_type):
        _type_changed(alter_column_op, conn_col, metadata_col)


def _type_changed(alter_column_op: AlterColumnOp, conn_col: Any, metadata_col: Any) -> None:
    alter_column_op.modify_type = metadata_col.type
    log.info(
        "Detected type change from %r to %r on '%s.%s'",
        conn_col.type, metadata_col.type, alter_column_op.table_name, alter_column_op.column_name,
    )


# ---------------------------------------------------------------------------------------------
# server defaults


def metadata_default_text(column: Any, dialect: Dialect | None) -> str | None:
    """The SQL text of a metadata column's server default (None when there is none)."""
    default = column.server_default
    if default is None or isinstance(default, (Computed, Identity)):
        return None
    if not isinstance(default, DefaultClause):
        return None
    arg = default.arg
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    if isinstance(arg, TextClause):
        return arg.text
    try:
        return str(arg.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except sa_exc.CompileError:
        return str(arg)


@comparators.dispatch_for("column", plugin=DEFAULTS_PLUGIN, element="server_default",
                           priority=DispatchPriority.LAST)
def compare_server_default(
    autogen_context: AutogenContext,
    alter_column_op: AlterColumnOp,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: ReflectedColumn,
    metadata_col: Any,
) -> Any:
    """Server default changes (only with ``compare_server_default``)."""
    if metadata_col.computed is not None or metadata_col.identity is not None:
        return None
    if conn_col.data.get("computed") or conn_col.data.get("identity"):
        return None
    setting = autogen_context.opts.get("compare_server_default", False)
    if not setting:
        return None
    conn_text = conn_col.data.get("default")
    meta_text = metadata_default_text(metadata_col, autogen_context.dialect)
    if callable(setting):
        verdict = setting(
            autogen_context.migration_context,
            conn_col,
            metadata_col,
            conn_text,
            metadata_col.server_default,
            meta_text,
        )
        if verdict is not None:
            if verdict:
                alter_column_op.modify_server_default = metadata_col.server_default
            return PriorityDispatchResult.CONTINUE
    if conn_text is None and meta_text is None:
        return None
    if autogen_context.impl.compare_server_default(conn_col, metadata_col, meta_text, conn_text):
        alter_column_op.modify_server_default = metadata_col.server_default
    return None


# ---------------------------------------------------------------------------------------------
# computed and identity columns


def _identity_from(reflected: dict[str, Any] | None) -> Identity | None:
    if not reflected:
        return None
    return Identity(**{k: v for k, v in reflected.items() if v is not None})


def _identity_values(identity: Any, ignore: tuple[str, ...]) -> dict[str, Any]:
    keys = ("always", "start", "increment", "minvalue", "maxvalue", "cycle", "cache", "order", "on_null")
    if isinstance(identity, dict):
        return {k: identity.get(k) for k in keys if k not in ignore}
    return {k: getattr(identity, k, None) for k in keys if k not in ignore}


@comparators.dispatch_for("column", plugin=DEFAULTS_PLUGIN, element="server_default")
def compare_computed_and_identity(
    autogen_context: AutogenContext,
    alter_column_op: AlterColumnOp,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: ReflectedColumn,
    metadata_col: Any,
) -> None:
    """Computed expressions (a change is only a warning) and identity options."""
    conn_computed = conn_col.data.get("computed")
    meta_computed = metadata_col.computed
    if conn_computed or meta_computed is not None:
        key = autogen_context.impl.autogen_expression_key
        conn_sql = key(str(conn_computed["sqltext"])) if conn_computed else None
        meta_sql = None
        if meta_computed is not None:
            compiled = meta_computed.sqltext.compile(
                dialect=autogen_context.dialect, compile_kwargs={"literal_binds": True}
            )
            meta_sql = key(str(compiled))
        if conn_sql != meta_sql:
            warnings.warn(
                f"Computed default on {tname}.{cname} cannot be modified", stacklevel=2
            )
        return

    conn_identity = conn_col.data.get("identity")
    meta_identity = metadata_col.identity
    if conn_identity is None and meta_identity is None:
        return
    verdict = autogen_context.impl.compare_identity_default(metadata_col, conn_identity)
    if verdict is not None:
        if verdict:
            alter_column_op.existing_server_default = _identity_from(conn_identity)
            alter_column_op.modify_server_default = meta_identity
        return
    ignore = tuple(getattr(autogen_context.impl, "identity_attrs_ignore", ()) or ())
    existing = _identity_from(conn_identity)
    if conn_identity is None or meta_identity is None:
        alter_column_op.existing_server_default = existing
        alter_column_op.modify_server_default = meta_identity
        return
    conn_values = _identity_values(conn_identity, ignore)
    meta_values = _identity_values(meta_identity, ignore)
    changed = False
    for key, value in meta_values.items():
        if key == "always":
            changed |= bool(value) != bool(conn_values.get(key))
        elif value is not None and value != conn_values.get(key):
            changed = True
    if changed:
        alter_column_op.existing_server_default = existing
        alter_column_op.modify_server_default = meta_identity
