"""The ``Operations`` and ``BatchOperations`` facades and their plugin registries.

A directive such as ``op.add_column(...)`` only builds an operation object (``AddColumnOp``) and hands
it to :meth:`AbstractOperations.invoke`, which looks up the implementation registered for that op
class (optionally per dialect) and runs it. New directives are added with
:meth:`AbstractOperations.register_operation`; new or replacement implementations with
:meth:`AbstractOperations.implementation_for`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.sql.elements import conv

from ..util.module_proxy import add_proxy_function, install_target, remove_target
from .schemaobj import SchemaObjects

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ..ddl.impl import DefaultImpl
    from .ops.base import MigrateOperation
    from .running_migration import RunningMigration

_T = TypeVar("_T")


class ImplementationRegistry:
    """Maps an op class (and optionally a dialect name) to the function that executes it."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[type, str], Callable[..., Any]] = {}

    def register(
        self, op_cls: type, fn: Callable[..., Any], dialect: str = "default", replace: bool = False
    ) -> None:
        """Register ``fn`` for ``op_cls``; an existing registration needs ``replace=True``."""
        key = (op_cls, dialect)
        if key in self._by_key and not replace:
            raise ValueError(
                f"An implementation for {op_cls.__name__} is already registered; "
                "pass replace=True to implementation_for() to replace it"
            )
        self._by_key[key] = fn

    def lookup(self, op: Any, dialect: str) -> Callable[..., Any]:
        """The implementation for ``op``: the most specific class first, the dialect before default."""
        for cls in type(op).__mro__:
            for qualifier in (dialect, "default"):
                fn = self._by_key.get((cls, qualifier))
                if fn is not None:
                    return fn
        raise NotImplementedError(
            f"No implementation registered for operation {type(op).__name__}"
        )


class AbstractOperations:
    """What ``Operations`` and ``BatchOperations`` share: invoke, helpers, the plugin API."""

    _registry: ImplementationRegistry = ImplementationRegistry()

    def __init__(self, migration_context: RunningMigration, impl: Any = None) -> None:
        self.migration_context = migration_context
        self.impl: DefaultImpl = impl if impl is not None else migration_context.impl
        self.schema_obj = SchemaObjects(migration_context)

    # ------------------------------------------------------------------ plugin API

    @classmethod
    def register_operation(
        cls, name: str, sourcename: str | None = None
    ) -> Callable[[type[_T]], type[_T]]:
        """Class decorator: add ``<cls>.<name>`` built from a classmethod of the op class.

        The classmethod (``sourcename``, default ``name``) receives the operations object first;
        the generated method keeps the rest of its signature and its docstring.
        """

        def register(op_cls: type[_T]) -> type[_T]:
            source = getattr(op_cls, sourcename or name)
            func = source.__func__ if hasattr(source, "__func__") else source
            method = _method_from_classmethod(name, op_cls, func)
            setattr(cls, name, method)
            add_proxy_function(cls, name, method)
            return op_cls

        return register

    @classmethod
    def implementation_for(
        cls, op_cls: type, replace: bool = False
    ) -> Callable[[Callable[..., _T]], Callable[..., _T]]:
        """Decorator: register the function ``fn(operations, operation)`` that runs ``op_cls``."""

        def decorate(fn: Callable[..., _T]) -> Callable[..., _T]:
            cls._registry.register(op_cls, fn, replace=replace)
            return fn

        return decorate

    @classmethod
    @contextmanager
    def context(cls, migration_context: RunningMigration) -> Iterator[Operations]:
        """Make ``dbshift.op`` proxy a new ``Operations`` for ``migration_context`` while inside."""
        operations = Operations(migration_context)
        install_target(Operations, operations)
        try:
            yield operations
        finally:
            remove_target(Operations)

    # ------------------------------------------------------------------ running ops

    def invoke(self, operation: MigrateOperation) -> Any:
        """Run an operation object with the implementation registered for its class."""
        fn = self._registry.lookup(operation, self.migration_context.impl.__dialect__)
        return fn(self, operation)

    # ------------------------------------------------------------------ helpers for scripts

    def f(self, name: str) -> conv:
        """Mark ``name`` as final: naming conventions leave it as it is."""
        return conv(name)

    def inline_literal(self, value: str | int | Any, type_: Any = None) -> Any:
        """A value that always renders inline as a SQL literal (offline-safe data changes)."""
        from .literals import inline_literal

        return inline_literal(value, type_)

    def get_bind(self) -> Connection:
        """The current connection (offline: a mock connection that writes SQL)."""
        return self.migration_context.bind  # type: ignore[return-value]

    def get_context(self) -> RunningMigration:
        """The active ``MigrationContext``."""
        return self.migration_context

    def run_async(self, async_function: Callable[..., Any], *args: Any, **kw_args: Any) -> Any:
        """Run ``async_function(async_connection, *args, **kw)`` on the migration's connection.

        The async connection shares the migration's transaction. It needs an async driver.
        """
        from .asyncbridge import run_async

        return run_async(self.migration_context, async_function, *args, **kw_args)

    @contextmanager
    def batch_alter_table(
        self,
        table_name: str,
        schema: str | None = None,
        recreate: str = "auto",
        partial_reordering: list[tuple[str, ...]] | None = None,
        copy_from: Any = None,
        table_args: tuple[Any, ...] = (),
        table_kwargs: dict[str, Any] | None = None,
        reflect_args: tuple[Any, ...] = (),
        reflect_kwargs: dict[str, Any] | None = None,
        naming_convention: dict[str, Any] | None = None,
    ) -> Iterator[BatchOperations]:
        """Queue changes to one table and apply them on exit, as ALTERs or by rebuilding it."""
        from .batch import BatchOperationsImpl

        if recreate not in ("auto", "always", "never"):
            raise ValueError("recreate may be one of 'auto', 'always', or 'never'.")
        impl = BatchOperationsImpl(
            self,
            table_name,
            schema,
            recreate,
            copy_from,
            table_args,
            table_kwargs or {},
            reflect_args,
            reflect_kwargs or {},
            naming_convention,
            partial_reordering,
        )
        batch_op = BatchOperations(self.migration_context, impl=impl)
        yield batch_op
        impl.flush()


class Operations(AbstractOperations):
    """The directives migration scripts call (``op.*``); see the Operation Reference.

    Built for a :class:`~dbshift.runtime.migration.MigrationContext`; works standalone too:
    ``Operations(MigrationContext.configure(connection)).add_column(...)``.
    """

    _registry = ImplementationRegistry()


class BatchOperations(AbstractOperations):
    """The directives available inside ``batch_alter_table``: table name and schema are implied."""

    _registry = Operations._registry

    @property
    def table_name(self) -> str:
        """The table the batch alters."""
        return self.impl.table_name  # type: ignore[attr-defined,no-any-return]

    @property
    def schema(self) -> str | None:
        """The schema of the table the batch alters."""
        return self.impl.schema  # type: ignore[attr-defined,no-any-return]


def _method_from_classmethod(name: str, op_cls: type, func: Callable[..., Any]) -> Callable[..., Any]:
    """A method ``name(self, ...)`` calling ``func(op_cls, self, ...)``, with a clean signature."""

    @functools.wraps(func)
    def method(self: AbstractOperations, *args: Any, **kw: Any) -> Any:
        return func(op_cls, self, *args, **kw)

    sig = inspect.signature(func)
    params = list(sig.parameters.values())[2:]
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    method.__signature__ = sig.replace(parameters=[self_param, *params])  # type: ignore[attr-defined]
    method.__name__ = name
    method.__qualname__ = f"Operations.{name}"
    del method.__wrapped__  # type: ignore[attr-defined]
    return method
