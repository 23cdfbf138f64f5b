"""What ``dbshift upgrade``/``downgrade`` print, on each live backend.

Progress goes to stderr (``Running upgrade a -> b, message ...``, ``  done in N ms``, a last
``upgrade: N steps in T; database at X``); stdout stays empty, as Alembic's. When the project's
logging already shows the runtime's ``Running upgrade`` INFO lines on the console, the CLI adds
only the end of each step. A failed step ends in one ``FAILED:`` line naming the step and where
the database stands; Ctrl-C in one ``Interrupted:`` line, exit status 130, no traceback. From
Python, ``command.upgrade`` prints nothing at all, as Alembic's does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from alembic_reference import TOOLS, require_alembic, run_python
from workflow_graphs import Rev, read_state, run_cli, write_project

TIME = r"(?:\d+ ms|\d+\.\d\d s)"
CHAIN = (Rev("r1"), Rev("r2", "r1"), Rev("r3", "r2"))

_LOGGING = '''\
import logging, sys
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s [%(name)s] %(message)s")
'''


def _project(root: Path, last_upgrade: str | None = None, env_prefix: str = "",
             configure: str = "") -> Path:
    ini = write_project(root, CHAIN)
    if last_upgrade is not None:
        path = root / "migrations" / "versions" / "r3_step.py"
        text = path.read_text()
        body = text[text.index("def upgrade():"):text.index("def downgrade():")]
        path.write_text(text.replace(body, f"def upgrade():\n{last_upgrade}\n\n"))
    env_py = root / "migrations" / "env.py"
    text = env_py.read_text().replace(
        "context.configure(connection=connection)",
        f"context.configure(connection=connection{configure})",
    )
    env_py.write_text(env_prefix + text)
    return ini


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_progress_on_stderr_and_nothing_on_stdout(engine: sa.Engine, tmp_path: Path) -> None:
    ini = _project(tmp_path)
    result = run_cli("dbshift", ini, _url(engine), ("upgrade", "head"))
    assert result.ok, result.stderr
    assert result.stdout == ""
    assert re.fullmatch(
        rf"Running upgrade  -> r1, step r1 \.\.\.\n  done in {TIME}\n"
        rf"Running upgrade r1 -> r2, step r2 \.\.\.\n  done in {TIME}\n"
        rf"Running upgrade r2 -> r3, step r3 \.\.\.\n  done in {TIME}\n"
        rf"upgrade: 3 steps in {TIME}; database at r3\n",
        result.stderr,
    ), result.stderr
    down = run_cli("dbshift", ini, _url(engine), ("-q", "downgrade", "base"))
    assert down.ok and (down.stdout, down.stderr) == ("", "")
    assert read_state(_url(engine)).rows == frozenset()


def test_logged_step_lines_are_not_printed_twice(tmp_path: Path) -> None:
    ini = _project(tmp_path, env_prefix=_LOGGING)
    result = run_cli("dbshift", ini, f"sqlite:///{tmp_path / 'app.db'}", ("upgrade", "r2"))
    assert result.ok, result.stderr
    lines = result.stderr.splitlines()
    running = [i for i, line in enumerate(lines) if "Running upgrade" in line]
    assert [lines[i].split("] ", 1)[1] for i in running] == [
        "Running upgrade  -> r1, step r1",
        "Running upgrade r1 -> r2, step r2",
    ]
    assert all(lines[i].startswith("INFO [") for i in running), lines
    assert all(re.fullmatch(rf"  done in {TIME}", lines[i + 1]) for i in running), lines
    assert re.fullmatch(rf"upgrade: 2 steps in {TIME}; database at r2", lines[-1]), lines


_FAILING = "    op.execute('CREATE TABLE half (id INTEGER)')\n    op.execute('SELECT * FROM no_such_table')"


@pytest.mark.parametrize("per_migration", [False, True], ids=["one_transaction", "per_migration"])
def test_a_failed_step_is_named_with_the_database_state(
    engine: sa.Engine, tmp_path: Path, per_migration: bool
) -> None:
    configure = ", transaction_per_migration=True" if per_migration else ""
    ini = _project(tmp_path, _FAILING, configure=configure)
    result = run_cli("dbshift", ini, _url(engine), ("upgrade", "head"))
    assert result.returncode == 1
    assert result.stdout == "" and "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    state = read_state(_url(engine))
    if engine.dialect.name == "mysql":
        # DDL commits by itself: the version table moved with each step that ran
        assert last.startswith("FAILED: upgrade r2 -> r3 failed on mysql"), last
        assert "1 statement(s) of it stay applied and were NOT rolled back: " \
               "CREATE TABLE half (id INTEGER)" in last
        assert last.endswith("; version table at r2"), last
        assert state.rows == {"r2"} and "half" in state.tables
        return
    at = "r2" if per_migration else "base"
    assert last.startswith(
        f"FAILED: upgrade r2 -> r3 (step r3) failed, rolled back: database at {at}. "
    ), last
    assert "no_such_table" in last
    assert (state.rows or set()) == ({"r2"} if per_migration else set())
    assert "half" not in state.tables


_INTERRUPTED = (
    "    import os, signal\n"
    "    op.execute('CREATE TABLE half (id INTEGER)')\n"
    "    os.kill(os.getpid(), signal.SIGINT)"
)


def test_ctrl_c_is_one_line_with_the_database_state(engine: sa.Engine, tmp_path: Path) -> None:
    ini = _project(tmp_path, _INTERRUPTED)
    result = run_cli("dbshift", ini, _url(engine), ("upgrade", "head"))
    assert result.returncode == 130
    assert "Traceback" not in result.stderr and "KeyboardInterrupt" not in result.stderr
    last = result.stderr.splitlines()[-1]
    state = read_state(_url(engine))
    if engine.dialect.name == "mysql":
        assert last == (
            "Interrupted: upgrade r2 -> r3 (step r3) was running; 1 statement(s) of it stayed "
            "applied and were NOT rolled back: CREATE TABLE half (id INTEGER); version table "
            "at r2"
        )
        assert state.rows == {"r2"} and "half" in state.tables
    else:
        assert last == (
            "Interrupted: upgrade r2 -> r3 (step r3) was running; rolled back: database at base"
        )
        assert not state.rows and "half" not in state.tables


def test_command_api_prints_what_alembic_prints(tmp_path: Path) -> None:
    """``command.upgrade(cfg, "head")`` from an application: no output in either tool."""
    require_alembic()
    outputs = {}
    for tool in TOOLS:
        root = tmp_path / tool
        root.mkdir()
        _project(root)
        code = (
            "from alembic.config import Config\nfrom alembic import command\n"
            "cfg = Config('alembic.ini')\n"
            "command.upgrade(cfg, 'head')\ncommand.downgrade(cfg, 'r1')\n"
        )
        result = run_python(tool, code, root)
        assert result.ok, result.stderr
        outputs[tool] = (result.stdout, result.stderr, read_state(f"sqlite:///{root / 'unused.db'}"))
    assert outputs["dbshift"] == outputs["alembic"]
    assert outputs["dbshift"][:2] == ("", "")
