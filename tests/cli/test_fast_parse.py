"""The CLI's fast path: for every command line it accepts, the same options argparse makes."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import dbshift
from dbshift import cli, command
from dbshift.cli import CommandLine
from dbshift.cli import fast_parse as cli_fast
from dbshift.cli import flags as cli_spec
from dbshift.cli.fast_parse import fast_parse as _fast_parse

SRC = str(Path(dbshift.__file__).resolve().parent.parent)

_GLOBAL_PREFIXES: list[list[str]] = [
    [],
    ["-q"],
    ["--quiet", "--raiseerr"],
    ["-c", "my.ini"],
    ["--config", "a.ini", "-c", "pyproject.toml"],
    ["-n", "other"],
    ["--name", "heads"],
    ["-x", "a=1", "-x", "b=2", "-q"],
    ["-n", "one", "--name", "two"],
]

_VALUES = {"store": ["v1", "heads", ""], "append": ["d1"]}


_PARSERS: list[Any] = []


def _argparse(argv: list[str]) -> Any:
    if not _PARSERS:
        _PARSERS.append(CommandLine(prog="dbshift").parser)
    return _PARSERS[0].parse_args(argv)


def _command_lines() -> list[list[str]]:
    lines = []
    for name in command.__all__:
        shown, flags, _ = cli_fast.command_flags(getattr(command, name))
        if not shown:
            positional_sets: list[list[str]] = [[]]
        elif shown[-1] in cli_spec.MANY:
            positional_sets = [["r1"], ["r1", "r2", "r3"]]
        else:
            positional_sets = [[f"p{i}" for i in range(len(shown))]]
        # each flag alone, pairs of flags, and one flag given twice
        spellings = list(flags)
        options: list[list[str]] = [[]]
        for spelling in spellings:
            dest, action = flags[spelling]
            if action == "store_true":
                options.append([spelling])
            else:
                for value in _VALUES["append" if action == "append" else "store"]:
                    options.append([spelling, value])
                options.append([spelling, "one", spelling, "two"])
        for a, b in itertools.combinations(options[1:], 2):
            options.append(a + b)
        for prefix in _GLOBAL_PREFIXES[:3]:
            for opts in options:
                for pos in positional_sets:
                    lines.append([*prefix, name, *pos, *opts])
                    lines.append([*prefix, name, *opts, *pos])
        for prefix in _GLOBAL_PREFIXES[3:]:
            for pos in positional_sets:
                lines.append([*prefix, name, *pos])
    return lines


def test_fast_path_matches_argparse() -> None:
    lines = _command_lines()
    assert len(lines) > 1000
    checked = 0
    for argv in lines:
        fast = _fast_parse(argv)
        assert fast is not None, argv
        expected = _argparse(argv)
        assert vars(fast) == vars(expected), argv
        assert fast == expected
        checked += 1
    assert checked == len(lines)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["-h"],
        ["heads", "--help"],
        ["--version"],
        ["heads", "--verb"],  # an abbreviation argparse accepts
        ["heads", "-vq"],
        ["--config=a.ini", "heads"],
        ["-ca.ini", "heads"],
        ["history", "-r", "-3:"],  # a value that starts with "-"
        ["downgrade", "-1"],
        ["heads", "--", "x"],
        ["nosuch"],
        ["heads", "extra"],
        ["upgrade"],
        ["upgrade", "a", "b"],
        ["stamp", "a", "--sql", "b"],
        ["-q"],
        ["-c"],
        ["heads", "-q"],
        ["current", "-c", "x"],
    ],
)
def test_unusual_command_lines_go_to_argparse(argv: list[str]) -> None:
    assert _fast_parse(argv) is None


def test_namespace_like_argparse() -> None:
    fast = _fast_parse(["-x", "k=v", "heads", "-v"])
    assert fast is not None
    assert "x" in fast and "nosuch" not in fast
    assert fast.x == ["k=v"] and fast.verbose is True and fast.resolve_dependencies is False
    assert repr(fast).startswith("Namespace(")
    assert fast != _argparse(["heads"])


def test_graph_command_does_not_import_argparse(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['dbshift', 'list_templates']\n"
        "from dbshift.cli import main\n"
        "main()\n"
        "print('ARGPARSE' if 'argparse' in sys.modules else 'NO-ARGPARSE')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip().splitlines()[-1] == "NO-ARGPARSE"
    assert "generic" in out


def _project(tmp_path: Path, n: int = 30) -> Path:
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\npath_separator = os\n"
    )
    prev = None
    for i in range(n):
        rid = f"r{i:04d}"
        (versions / f"{rid}_step.py").write_text(
            f'"""step {i}\n\nlong text\n"""\n'
            f"revision = {rid!r}\ndown_revision = {prev!r}\n"
            f"branch_labels = {('trunk',) if i == 0 else None!r}\ndepends_on = None\n"
        )
        prev = rid
    (versions / "b0001_side.py").write_text(
        '"""a side branch"""\nrevision = "b0001"\ndown_revision = "r0010"\n'
    )
    return tmp_path


@pytest.mark.parametrize("argv", [["heads"], ["history"], ["history", "-v"], ["branches"]])
def test_console_graph_command_output_and_gc(tmp_path: Path, argv: list[str]) -> None:
    """As the console script (``python -m dbshift``) a graph command runs without the cyclic
    collector; called in-process it leaves the collector as it found it. Same output."""
    import gc
    import io
    import os

    project = _project(tmp_path)
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: sys.stderr.write('GC %s\\n' % gc.isenabled()))\n"
        "import runpy\n"
        "runpy.run_module('dbshift', run_name='__main__', alter_sys=True)\n"
    )
    env = {"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}
    runs = []
    for _ in range(2):  # cold (writes the index), then from the graph snapshot
        done = subprocess.run(
            [sys.executable, "-c", probe, *argv],
            cwd=project, env=env, capture_output=True, text=True, check=True,
        )
        runs.append(done.stdout)
        assert done.stderr.strip().splitlines()[-1] == "GC False"
    assert runs[0] == runs[1] and "b0001" in runs[0]

    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(project)
    try:
        assert gc.isenabled()
        real, sys.stdout = sys.stdout, out
        try:
            cli.main(argv=argv)
        finally:
            sys.stdout = real
        assert gc.isenabled()
    finally:
        os.chdir(cwd)
    assert out.getvalue() == runs[0]


def _migrating_project(tmp_path: Path) -> Path:
    """One revision that records, while it runs, how many objects the collector has frozen."""
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\npath_separator = os\n"
        "sqlalchemy.url = sqlite:///%(here)s/db.sqlite\n"
    )
    (tmp_path / "migrations" / "env.py").write_text(
        "from sqlalchemy import create_engine\n"
        "from dbshift import context\n"
        "url = context.config.get_main_option('sqlalchemy.url')\n"
        "with create_engine(url).connect() as conn:\n"
        "    context.configure(connection=conn)\n"
        "    with context.begin_transaction():\n"
        "        context.run_migrations()\n"
    )
    (versions / "a1_probe.py").write_text(
        '"""probe"""\nimport gc, pathlib\nrevision = "a1"\ndown_revision = None\n\n'
        "def upgrade():\n"
        "    pathlib.Path(__file__).with_name('frozen.txt').write_text(str(gc.get_freeze_count()))\n"
        "\ndef downgrade():\n    pass\n"
    )
    return tmp_path


def test_console_migration_run_freezes_what_exists_before_it(tmp_path: Path) -> None:
    """As the console script, a migration run starts by freezing the objects alive then
    (SQLAlchemy, the graph, env.py's engine); called in-process nothing is frozen."""
    import gc
    import os

    project = _migrating_project(tmp_path)
    frozen = project / "migrations" / "versions" / "frozen.txt"
    subprocess.run(
        [sys.executable, "-m", "dbshift", "upgrade", "head"],
        cwd=project, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True,
    )
    assert int(frozen.read_text()) > 10_000  # SQLAlchemy alone is more than that

    (project / "db.sqlite").unlink()
    gc.unfreeze()
    cwd = os.getcwd()
    os.chdir(project)
    try:
        cli.main(argv=["-q", "upgrade", "head"])
    finally:
        os.chdir(cwd)
    assert int(frozen.read_text()) == 0
