"""Which built-in tests exist, and which of them a session's options select.

Default tests run unless excluded; experimental ones (pytest-alembic's two, and dbshift's own
``lint_pending_revisions``) run only when named in ``pytest_alembic_include_experimental``.
Names are written without the ``test_`` prefix; a name that is no test is an error naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["BuiltInTest", "DEFAULT_NAMES", "EXPERIMENTAL_NAMES", "parse_test_names", "select"]

#: Default tests: (name, module holding ``test_<name>``).
_DEFAULT = (
    ("model_definitions_match_ddl", "default_tests"),
    ("single_head_revision", "default_tests"),
    ("up_down_consistency", "default_tests"),
    ("upgrade", "default_tests"),
)
#: Tests that run only when named.
_EXPERIMENTAL = (
    ("all_models_register_on_metadata", "model_registration"),
    ("downgrade_leaves_no_trace", "downgrade_trace"),
    ("lint_pending_revisions", "lint_test"),
)
DEFAULT_NAMES = tuple(name for name, _ in _DEFAULT)
EXPERIMENTAL_NAMES = tuple(name for name, _ in _EXPERIMENTAL)


@dataclass(frozen=True)
class BuiltInTest:
    """One built-in test: its name (without ``test_``) and where its function lives."""

    name: str
    module: str
    is_experimental: bool

    @property
    def raw_name(self) -> str:
        """The test function's name, as collected."""
        return f"test_{self.name}"

    def function(self) -> Callable[..., Any]:
        """The test function (its module imported on first use)."""
        import importlib

        module = importlib.import_module(f"{__package__}.{self.module}")
        return getattr(module, self.raw_name)


def all_tests() -> dict[str, BuiltInTest]:
    """Every built-in test by name."""
    found = {name: BuiltInTest(name, module, False) for name, module in _DEFAULT}
    found.update({name: BuiltInTest(name, module, True) for name, module in _EXPERIMENTAL})
    return found


def parse_test_names(raw: Any) -> list[str]:
    """Names from an option value: separated by commas or new lines (blank ones dropped);
    a list (an ini ``linelist``) is read item by item."""
    if raw is None:
        return []
    if not isinstance(raw, str):
        raw = "\n".join(str(item) for item in raw)
    names = []
    for name in re.split(r"[,\n]", raw):
        name = name.strip()
        if name and name not in names:
            names.append(name)
    return names


def select(
    include: Iterable[str], include_experimental: Iterable[str], exclude: Iterable[str]
) -> list[BuiltInTest]:
    """The tests the options select, sorted by function name. ``include`` replaces the default
    set; ``exclude`` wins over both includes. ValueError lists every unknown name."""
    available = all_tests()
    include, include_experimental, exclude = list(include), list(include_experimental), set(exclude)
    requested = include or [test.name for test in available.values() if not test.is_experimental]
    requested = [name for name in [*requested, *include_experimental] if name not in exclude]
    unknown = sorted({name for name in [*exclude, *requested] if name not in available})
    if unknown:
        raise ValueError(f"The following tests were unrecognized: {', '.join(unknown)}")
    chosen = {name: available[name] for name in requested}
    return sorted(chosen.values(), key=lambda test: test.raw_name)
