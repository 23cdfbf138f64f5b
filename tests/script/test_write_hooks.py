"""Post-write hooks: registry, the built-in console_scripts / exec / module runners, errors."""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from dbshift.config import Config
from dbshift.script import write_hooks
from dbshift.util.exc import CommandError

# A module that records the arguments and working directory it was run with.
RECORDER = textwrap.dedent(
    """
    import json, os, sys

    def main():
        with open(os.environ["HOOK_RECORD"], "w") as fh:
            json.dump({"argv": sys.argv[1:], "cwd": os.getcwd()}, fh)
        return int(os.environ.get("HOOK_EXIT", "0"))

    if __name__ == "__main__":
        sys.exit(main())
    """
)


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    out = tmp_path / "record.json"
    monkeypatch.setenv("HOOK_RECORD", str(out))
    return lambda: json.loads(out.read_text())


@pytest.fixture
def revision_file(tmp_path: Path) -> str:
    path = tmp_path / "versions" / "abc_first.py"
    path.parent.mkdir()
    path.write_text("x = 1\n")
    return str(path)


@pytest.fixture
def hookdir(tmp_path: Path) -> Path:
    d = tmp_path / "hooks"
    d.mkdir()
    (d / "recorder_mod.py").write_text(RECORDER)
    return d


def quiet(line: str) -> None:
    pass


def test_registered_custom_hook_receives_path_and_options(revision_file):
    seen = []

    @write_hooks.register("test_custom_hook")
    def custom(path, options):
        seen.append((path, dict(options)))

    hooks = [{"type": "test_custom_hook", "flavour": "x", "_hook_name": "mine"}]
    lines: list[str] = []
    write_hooks.run_hooks(revision_file, hooks, echo=lines.append)
    assert seen == [(revision_file, hooks[0])]
    assert lines == ["Running post write hook 'mine' ...", "  done"]


def test_hook_without_type_names_the_hook(revision_file):
    with pytest.raises(CommandError, match=r"'fmt' has no type; set fmt\.type"):
        write_hooks.run_hooks(revision_file, [{"_hook_name": "fmt"}], echo=quiet)


def test_unknown_hook_type(revision_file):
    with pytest.raises(CommandError, match=r"'fmt': no hook type 'nosuch' is registered"):
        write_hooks.run_hooks(revision_file, [{"_hook_name": "fmt", "type": "nosuch"}], echo=quiet)


def test_module_hook_runs_python_m_in_cwd_with_token_replaced(hookdir, revision_file, record):
    hook = {
        "_hook_name": "rec",
        "type": "module",
        "module": "recorder_mod",
        "options": "--flag 'two words' REVISION_SCRIPT_FILENAME --after",
        "cwd": str(hookdir),
    }
    write_hooks.run_hooks(revision_file, [hook], echo=quiet)
    got = record()
    assert got["argv"] == ["--flag", "two words", revision_file, "--after"]
    assert os.path.samefile(got["cwd"], hookdir)


def test_filename_is_prepended_when_token_absent(hookdir, revision_file, record):
    hook = {
        "_hook_name": "rec",
        "type": "module",
        "module": "recorder_mod",
        "options": "-l 79",
        "cwd": str(hookdir),
    }
    write_hooks.run_hooks(revision_file, [hook], echo=quiet)
    assert record()["argv"] == [revision_file, "-l", "79"]


def test_failing_hook_is_a_command_error(hookdir, revision_file, record, monkeypatch):
    monkeypatch.setenv("HOOK_EXIT", "3")
    hook = {"_hook_name": "rec", "type": "module", "module": "recorder_mod", "cwd": str(hookdir)}
    with pytest.raises(CommandError, match=r"'rec' failed with exit code 3"):
        write_hooks.run_hooks(revision_file, [hook], echo=quiet)


def test_module_hook_requires_module_key(revision_file):
    with pytest.raises(CommandError, match=r"'rec' needs rec\.module"):
        write_hooks.run_hooks(revision_file, [{"_hook_name": "rec", "type": "module"}], echo=quiet)


def _make_executable(path: Path) -> Path:
    path.write_text(f"#!{sys.executable}\n" + RECORDER)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.skipif(os.name != "posix", reason="shebang scripts")
def test_exec_hook_finds_program_on_path(hookdir, revision_file, record, monkeypatch):
    _make_executable(hookdir / "recorder-prog")
    monkeypatch.setenv("PATH", f"{hookdir}{os.pathsep}{os.environ['PATH']}")
    hook = {"_hook_name": "prog", "type": "exec", "executable": "recorder-prog", "options": "-q"}
    write_hooks.run_hooks(revision_file, [hook], echo=quiet)
    assert record()["argv"] == [revision_file, "-q"]


@pytest.mark.skipif(os.name != "posix", reason="shebang scripts")
def test_exec_hook_accepts_absolute_path(hookdir, revision_file, record):
    prog = _make_executable(hookdir / "abs-prog")
    hook = {"_hook_name": "prog", "type": "exec", "executable": str(prog)}
    write_hooks.run_hooks(revision_file, [hook], echo=quiet)
    assert record()["argv"] == [revision_file]


def test_exec_hook_missing_program(revision_file):
    hook = {"_hook_name": "prog", "type": "exec", "executable": "dbshift-no-such-program"}
    with pytest.raises(CommandError, match=r"'prog': executable 'dbshift-no-such-program' not"):
        write_hooks.run_hooks(revision_file, [hook], echo=quiet)


def test_console_scripts_hook_runs_entry_point(hookdir, revision_file, record, monkeypatch):
    dist = hookdir / "recorder_dist-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: recorder-dist\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[console_scripts]\nrecorder = recorder_mod:main\n")
    monkeypatch.syspath_prepend(str(hookdir))
    hook = {
        "_hook_name": "cs",
        "type": "console_scripts",
        "entrypoint": "recorder",
        "options": "REVISION_SCRIPT_FILENAME --check",
        "cwd": str(hookdir),
    }
    write_hooks.run_hooks(revision_file, [hook], echo=quiet)
    assert record()["argv"] == [revision_file, "--check"]


def test_console_scripts_unknown_entry_point(revision_file):
    hook = {"_hook_name": "cs", "type": "console_scripts", "entrypoint": "no-such-entry-xyz"}
    with pytest.raises(CommandError, match=r"'cs': no console_scripts entry point"):
        write_hooks.run_hooks(revision_file, [hook], echo=quiet)


def test_hooks_from_config_run_in_order(tmp_path, hookdir, revision_file, monkeypatch):
    calls = []

    @write_hooks.register("test_order_hook")
    def order(path, options):
        calls.append(options["_hook_name"])

    ini = tmp_path / "alembic.ini"
    ini.write_text(
        "[alembic]\n[post_write_hooks]\nhooks = b, a\n"
        "a.type = test_order_hook\nb.type = test_order_hook\n"
    )
    write_hooks.run_hooks(revision_file, Config(str(ini)).get_hooks_list(), echo=quiet)
    assert calls == ["b", "a"]
