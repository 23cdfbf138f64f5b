"""Build step beyond pyproject.toml: ship dbshift's start-up hook beside the package.

``dbshift-alembic-alias.pth`` goes to the top of ``site-packages`` (a wheel's root), for wheel
and editable (``pip install -e``) installs alike: it makes ``import alembic`` work in any program
when Alembic is not installed. Its code is ``src/dbshift/compat/startup_hook.py`` without the
docstrings (less to compile at every interpreter start). Importing this file builds nothing
(the tests use :func:`startup_hook_pth`); setuptools runs it as ``__main__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PTH_NAME = "dbshift-alembic-alias.pth"
HOOK_SOURCE = Path(__file__).resolve().parent / "src" / "dbshift" / "compat" / "startup_hook.py"


def startup_hook_pth() -> str:
    """The ``.pth`` file's text: a comment, then one ``import`` line that ``site`` executes."""
    tree = ast.parse(HOOK_SOURCE.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            body[:1] = [] if len(body) > 1 else [ast.Pass()]
    code = ast.unparse(tree) + "\nadd_startup_hook()\n"
    return (
        "# dbshift: serves `import alembic` when Alembic is not installed; "
        "DBSHIFT_ALEMBIC_SHIM=off turns it off (see dbshift.compat)\n"
        f"import sys; exec({code!r}, {{'__name__': 'dbshift_startup_hook'}})\n"
    )


def _is_docstring(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


if __name__ == "__main__":
    from setuptools import setup
    from setuptools.command.build_py import build_py

    class BuildPyWithStartupHook(build_py):
        """``build_py`` that also writes the ``.pth`` file where the wheel's root is made."""

        def run(self) -> None:
            super().run()
            if getattr(self, "editable_mode", False):
                # An editable wheel holds no package files, only what its install step put in
                # the wheel's root: the install command's install_lib (setuptools >= 64).
                root = self.get_finalized_command("install").install_lib
            else:
                root = self.build_lib
            target = Path(root, PTH_NAME)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(startup_hook_pth(), encoding="utf-8")

        def get_outputs(self, include_bytecode: bool = True) -> list[str]:
            outputs = list(super().get_outputs(include_bytecode))
            if not getattr(self, "editable_mode", False):
                outputs.append(str(Path(self.build_lib, PTH_NAME)))
            return outputs

    setup(cmdclass={"build_py": BuildPyWithStartupHook})
