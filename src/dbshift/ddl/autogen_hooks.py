"""``AutogenHooks``: what autogenerate asks of a dialect's implementation.

Autogenerate compares plain reflected data (the inspector's dictionaries) with the target
metadata. These hooks are where a dialect says how its reflection differs from what SQLAlchemy
renders, so that an unchanged schema never shows up as a change. :class:`~dbshift.ddl.impl.
DefaultImpl` inherits them (Alembic's plugins override them on ``DefaultImpl`` subclasses); each
dialect's file overrides what its database needs.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column

from .server_default_text import comparable_server_default

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect
    from sqlalchemy.sql.elements import ClauseElement


class AutogenHooks:
    """The autogenerate side of a dialect implementation; defaults that suit most databases."""

    dialect: Dialect
    #: Whether the database reflects DEFERRABLE / INITIALLY of foreign keys.
    reflects_fk_deferral: bool

    def autogen_column_reflect(self, inspector: Any, table: Any, column_info: dict[str, Any]) -> None:
        """Adjust one reflected column dictionary in place (the ``column_reflect`` hook).

        ``table`` names the reflected table (``.name``, ``.schema``). The default does nothing.
        """

    def compare_type(self, inspector_column: Any, metadata_column: Column) -> bool | None:
        """Whether the reflected column's type differs from the metadata column's.

        None (the default) leaves the decision to autogenerate's generic comparison (type names
        or :attr:`type_synonyms`, and the arguments present on both sides).
        """
        return None

    def normalize_server_default(self, sql: str) -> tuple[str, Any]:
        """A comparable form of a server default's SQL text: ``("num", float)``,
        ``("str", value)`` or ``("expr", normalised text)``.

        Wrapping parentheses, quoting of literals, case and spacing, ``true``/``false`` and the
        common spellings of the current timestamp/date do not count as differences.
        """
        return comparable_server_default(sql)

    def compare_server_default(
        self,
        inspector_column: Any,
        metadata_column: Column,
        rendered_metadata_default: str | None,
        rendered_inspector_default: str | None,
    ) -> bool | None:
        """Whether the reflected server default differs from the metadata one (True/False).

        Both defaults come as SQL text (None for no default); they are equal when
        :meth:`normalize_server_default` makes them the same.
        """
        if rendered_metadata_default is None or rendered_inspector_default is None:
            return rendered_metadata_default != rendered_inspector_default
        return self.normalize_server_default(
            rendered_inspector_default
        ) != self.normalize_server_default(rendered_metadata_default)

    def autogen_expression_key(self, sql: str) -> str:
        """An index or computed-column expression reduced to a comparable key: case, spacing,
        identifier quoting and parentheses removed."""
        out = "".join(sql.lower().split())
        for char in "\"`()":
            out = out.replace(char, "")
        return out

    def correct_for_autogen_constraints(
        self,
        conn_unique_constraints: list[dict[str, Any]],
        conn_indexes: list[dict[str, Any]],
        metadata_unique_constraints: list[Any],
        metadata_indexes: list[Any],
        *,
        conn_foreign_keys: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Remove, in place, reflected or metadata uniques and indexes that must not be compared.

        The ``conn_*`` lists hold the inspector's dictionaries, the ``metadata_*`` lists
        ``UniqueConstraint``/``Index`` objects (empty for a table that is being dropped). The
        default removes nothing.
        """

    def correct_for_autogen_foreignkeys(
        self, conn_fks: list[dict[str, Any]], metadata_fks: list[dict[str, Any]]
    ) -> None:
        """Adjust, in place, the options compared for foreign keys on both sides.

        Each dictionary has ``ondelete``/``onupdate`` (upper case, None for NO ACTION),
        ``deferrable`` and ``initially``. Where the database does not reflect deferral
        (:attr:`reflects_fk_deferral`), ``deferrable``/``initially`` are not compared; where it
        does, INITIALLY IMMEDIATE (the default) counts as unset.
        """
        for options in (*conn_fks, *metadata_fks):
            if self.reflects_fk_deferral:
                initially = (options.get("initially") or "").upper() or None
                options["deferrable"] = bool(options.get("deferrable"))
                options["initially"] = None if initially == "IMMEDIATE" else initially
            else:
                options["deferrable"] = options["initially"] = None

    def correct_for_autogen_check_constraints(
        self,
        conn_checks: list[dict[str, Any]],
        metadata_checks: list[Any],
        *,
        conn_columns: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Remove, in place, CHECK constraints the database made by itself. The default keeps all."""

    def autogen_alter_column_existing(self, column_info: dict[str, Any]) -> dict[str, Any]:
        """Extra ``existing_*`` keywords for an autogenerated ``alter_column`` of this reflected
        column (MySQL restates AUTO_INCREMENT). The default adds none."""
        return {}

    def autogen_standalone_type(self, type_: Any) -> Any:
        """For a type the database keeps on its own (a PostgreSQL named ENUM), a copy that does
        not create or drop itself with a table; None for other types (the default)."""
        return None

    def autogen_index_extras(
        self, index: Any = None, reflected: dict[str, Any] | None = None
    ) -> tuple[Any, ...]:
        """What, besides its columns, makes an index different, for a metadata ``index`` or a
        ``reflected`` index dictionary (PostgreSQL: WHERE and INCLUDE). The default: nothing."""
        return ()

    def compare_identity_default(
        self, metadata_column: Column, reflected_identity: dict[str, Any] | None
    ) -> bool | None:
        """Whether the identity options differ; None (the default) leaves it to autogenerate's
        option-by-option comparison (which skips :attr:`identity_attrs_ignore`)."""
        return None

    def autogen_is_system_schema(self, schema: str) -> bool:
        """Whether ``include_schemas`` must leave ``schema`` out (the database's own schemas)."""
        return schema == "information_schema"

    def render_ddl_sql_expr(
        self, expr: ClauseElement, is_server_default: bool = False, is_index: bool = False,
        **kw: Any,
    ) -> str:
        """The SQL of ``expr`` (a server default, an index expression ...) as autogenerate writes
        it into ``sa.text(...)``: compiled for this dialect, bound values inlined."""
        compiled = expr.compile(
            dialect=self.dialect, compile_kwargs={"literal_binds": True, "include_table": False}
        )
        return str(compiled)

    def adjust_reflected_dialect_options(self, reflected: Mapping[str, Any], kind: str) -> dict[str, Any]:
        """The dialect options of a reflected constraint/index (``kind``) that autogenerate
        keeps on the object it builds from it."""
        return dict(reflected.get("dialect_options") or {})

    def render_type(self, type_: Any, autogen_context: Any) -> str | bool:
        """Python source for ``type_`` in a generated revision, or False for the generic rendering."""
        return False

    def autogen_reflect(self, schema: str | None, table_names: list[str] | None) -> dict[str, Any] | None:
        """Reflected data of ``table_names`` (None: every table) of ``schema``, for dialects with a
        faster way than the inspector: ``{"columns": {(schema, name): [...]}, "pk": ...,
        "foreign_keys": ..., "indexes": ..., "uniques": ..., "checks": ...}`` shaped like
        ``Inspector.get_multi_*``. None (the default): autogenerate uses the inspector.
        """
        return None

    def _skip_autogen_expression_indexes(
        self, metadata_indexes: list[Any], conn_indexes: list[dict[str, Any]] | None = None
    ) -> None:
        """Remove (with a warning) the model's expression indexes, for a database whose
        reflection does not return them: they could never compare equal. As Alembic: an index
        the database has by that name stays, and so does one on plain columns with ASC/DESC."""
        conn_names = {ix.get("name") for ix in conn_indexes or ()}
        for index in list(metadata_indexes):
            if index.name in conn_names or all(_is_plain_column(e) for e in index.expressions):
                continue
            warnings.warn(
                f"autogenerate skips expression-based index {index.name!r} on "
                f"{index.table.name if index.table is not None else '?'}: "
                f"{self.dialect.name} does not reflect expression indexes",
                stacklevel=3,
            )
            metadata_indexes.remove(index)


def _is_plain_column(expr: Any) -> bool:
    """A table column, possibly under ``ASC``/``DESC``/``NULLS FIRST`` (not an expression)."""
    from sqlalchemy.sql.elements import UnaryExpression

    while isinstance(expr, UnaryExpression):
        expr = expr.element
    return isinstance(expr, Column)
