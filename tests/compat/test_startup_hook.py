"""dbshift's start-up hook: the ``.pth`` file that serves ``import alembic`` in any program.

The file the build installs is made by ``setup.py`` from ``dbshift/compat/startup_hook.py``; these
tests run that exact text the way ``site`` does (its ``import`` line, executed) in a fresh
interpreter started without ``site`` (so no installed copy of the file runs first).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dbshift.compat.startup_hook import StartupHook, add_startup_hook

ROOT = Path(__file__).resolve().parents[2]


def _setup_module():
    spec = importlib.util.spec_from_file_location("dbshift_setup", ROOT / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pth_line() -> str:
    lines = [line for line in _setup_module().startup_hook_pth().splitlines() if line]
    assert lines[0].startswith("#")  # site skips comment lines
    (line,) = lines[1:]
    assert line.startswith("import ")  # site executes lines that start with "import "
    return line


def _run_without_site(code: str, shim: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DBSHIFT_ALEMBIC_SHIM"}
    if shim is not None:
        env["DBSHIFT_ALEMBIC_SHIM"] = shim
    # -S: no site, so no installed .pth file runs; the packages are reached through sys.path.
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    prelude = f"import json, os, sys\nPTH_LINE = {_pth_line()!r}\n"
    done = subprocess.run(
        [sys.executable, "-S", "-c", prelude + textwrap.dedent(code)],
        capture_output=True, text=True, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("shim", "expected"),
    [(None, "last"), ("auto", "last"), ("force", "first"), ("OFF", "absent"), ("off", "absent")],
)
def test_the_mode_decides_where_the_hook_goes(shim, expected):
    meta_path = [object(), object()]
    environ = {} if shim is None else {"DBSHIFT_ALEMBIC_SHIM": shim}
    add_startup_hook(environ, meta_path)
    add_startup_hook(environ, meta_path)  # site reads the file twice where lib64 links to lib
    where = {0: "first", len(meta_path) - 1: "last"}
    found = [i for i, finder in enumerate(meta_path) if finder is StartupHook]
    assert [where.get(i) for i in found] == ([] if expected == "absent" else [expected])


def test_the_hook_answers_only_alembic():
    for name in ("alembic_utils", "alembicx", "sqlalchemy", "dbshift", "alembic_postgresql_enum"):
        assert StartupHook.find_spec(name) is None


def test_the_installed_line_imports_nothing_and_adds_one_finder():
    found = _run_without_site(
        """
        before = set(sys.modules)
        finders = len(sys.meta_path)
        exec(PTH_LINE)
        print(json.dumps({
            "new modules": sorted(set(sys.modules) - before),
            "added": len(sys.meta_path) - finders,
            "last": type(sys.meta_path[-1]).__name__ if not isinstance(sys.meta_path[-1], type)
                    else sys.meta_path[-1].__name__,
        }))
        """
    )
    assert found == {"new modules": [], "added": 1, "last": "StartupHook"}


def test_the_installed_line_serves_alembic_from_a_plain_interpreter():
    found = _run_without_site(
        """
        exec(PTH_LINE)
        loaded_before = "dbshift" in sys.modules
        from alembic import command, context, op
        import alembic.operations.ops
        print(json.dumps({
            "dbshift loaded at start": loaded_before,
            "command": command.__name__, "context": context.__name__, "op": op.__name__,
            "same ops": sys.modules["alembic.operations.ops"]
                        is sys.modules["dbshift.operations.ops"],
        }))
        """
    )
    assert found == {
        "dbshift loaded at start": False,
        "command": "dbshift.command",
        "context": "dbshift.context",
        "op": "dbshift.op",
        "same ops": True,
    }


def test_the_installed_line_does_nothing_when_turned_off():
    found = _run_without_site(
        """
        finders = len(sys.meta_path)
        exec(PTH_LINE)
        try:
            import alembic
        except ImportError:
            served = False
        else:
            served = True
        print(json.dumps({"added": len(sys.meta_path) - finders, "served": served}))
        """,
        shim="off",
    )
    assert found == {"added": 0, "served": False}


def test_the_installed_line_never_shadows_a_real_alembic(tmp_path):
    real = tmp_path / "site" / "alembic"
    real.mkdir(parents=True)
    (real / "__init__.py").write_text("REAL = True\n")
    found = _run_without_site(
        f"""
        sys.path.insert(0, {str(tmp_path / "site")!r})
        exec(PTH_LINE)
        import alembic
        print(json.dumps({{"real": getattr(alembic, "REAL", False),
                           "dbshift loaded": "dbshift" in sys.modules}}))
        """
    )
    assert found == {"real": True, "dbshift loaded": False}
