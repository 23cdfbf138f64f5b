"""The command line: sub-commands and flags, global options, error output, exit status, cost."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import dbshift
from dbshift import cli, command
from dbshift.cli import CommandLine
from dbshift.util.exc import CommandError

SRC = str(Path(dbshift.__file__).resolve().parent.parent)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ALEMBIC_CONFIG", raising=False)
    monkeypatch.delenv("DBSHIFT_CONFIG", raising=False)


def _recorder() -> tuple[CommandLine, list[dict[str, Any]]]:
    """A CommandLine with a custom ``probe`` command that records what it received."""
    calls: list[dict[str, Any]] = []

    def probe(config, target, limit=None, dry_run=False, verbose=False):
        """Record the arguments (a custom command)."""
        calls.append(
            {
                "config": config,
                "target": target,
                "limit": limit,
                "dry_run": dry_run,
                "verbose": verbose,
            }
        )
        config.print_stdout("probed %s", target)

    line = CommandLine(prog="dbshift")
    line.register_command(probe)
    return line, calls


def _parse(*argv: str) -> Any:
    return CommandLine(prog="dbshift").parser.parse_args(list(argv))


# --------------------------------------------------------------------------------------------
# parsing


def test_every_command_has_a_subcommand():
    line = CommandLine(prog="dbshift")
    names = set(line.subparsers.choices)
    assert names == set(command.__all__)
    for name in names:
        fn, _, _ = line.subparsers.choices[name].parse_args(
            {"init": ["d"], "merge": ["heads"], "stamp": ["head"], "upgrade": ["head"],
             "downgrade": ["base"], "show": ["head"], "edit": ["head"]}.get(name, [])
        ).cmd
        assert fn is getattr(command, name)


def test_command_parameters_read_from_code_match_inspect_signature():
    import inspect

    from dbshift.cli.flags import split_parameters as _split_parameters

    def inspected(fn):
        params = list(inspect.signature(fn).parameters.values())[1:]
        return (
            [p.name for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)],
            [(p.name, p.default) for p in params if p.default is not p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)],
        )

    def custom(config, a, b=1, *args, c, d=2, **kw):
        pass

    for fn in [getattr(command, name) for name in command.__all__] + [custom]:
        assert _split_parameters(fn) == inspected(fn), fn.__name__
    assert _split_parameters(custom) == (["a"], [("b", 1), ("d", 2)])


def test_subcommand_arguments_are_built_only_when_that_command_runs():
    line = CommandLine(prog="dbshift")
    options = line.parser.parse_args(["heads", "-v"])
    assert options.verbose and options.cmd[0] is command.heads
    built = {name for name, sub in line.subparsers.choices.items() if sub._populate is None}
    assert built == {"heads"}
    help_text = line.subparsers.choices["upgrade"].format_help()
    assert "--sql" in help_text and "--tag" in help_text


def test_revision_flags_map_to_parameters():
    options = _parse(
        "revision", "-m", "msg", "--autogenerate", "--sql", "--head", "h@head", "--splice",
        "--branch-label", "lbl", "--version-path", "vp", "--rev-id", "r1",
        "--depends-on", "a", "--depends-on", "b",
    )
    fn, positional, keywords = options.cmd
    assert fn is command.revision and positional == []
    values = {param: getattr(options, dest) for param, dest in keywords}
    assert values == {
        "message": "msg", "autogenerate": True, "sql": True, "head": "h@head", "splice": True,
        "branch_label": "lbl", "version_path": "vp", "rev_id": "r1", "depends_on": ["a", "b"],
    }
    assert "process_revision_directives" not in values


def test_positionals_and_short_flags():
    options = _parse("stamp", "--purge", "--tag", "t", "a1", "b2")
    assert options.revisions == ["a1", "b2"] and options.purge and options.tag == "t"
    options = _parse("merge", "-m", "x", "heads")
    assert options.revisions == ["heads"] and options.message == "x"
    options = _parse("-c", "my.ini", "current", "-c", "-v")
    assert options.config == ["my.ini"] and options.check_heads and options.verbose
    options = _parse("history", "-r-3:current", "-i", "-v")
    assert options.rev_range == "-3:current" and options.indicate_current
    assert _parse("downgrade", "-1").revision == "-1"
    options = _parse("init", "-t", "async", "--package", "dir")
    assert (options.directory, options.template, options.package) == ("dir", "async", True)
    options = _parse("init", "dir")
    assert options.template == "generic"
    options = _parse("heads", "--resolve-dependencies")
    assert options.resolve_dependencies
    options = _parse("upgrade", "--sql", "a:b")
    assert options.revision == "a:b" and options.sql
    options = _parse("-x", "a=1", "-x", "b", "-n", "other", "--raiseerr", "-q", "show", "head")
    assert options.x == ["a=1", "b"] and options.name == "other"
    assert options.raiseerr and options.quiet and options.rev == "head"


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"], prog="dbshift")
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"dbshift {dbshift.__version__}\n"
    with pytest.raises(SystemExit):
        cli.main(["--help"], prog="dbshift")
    out = capsys.readouterr().out
    assert re.search(r"upgrade\s+Run revisions up to a target", out)
    assert "``" not in out


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([], prog="dbshift")
    assert exc.value.code == 2
    assert "a command is required" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# custom commands and global options


def test_register_command_builds_flags_from_the_signature(capsys):
    line, calls = _recorder()
    line.main(["probe", "--limit", "5", "--dry-run", "-v", "base"])
    assert calls[0]["target"] == "base"
    assert (calls[0]["limit"], calls[0]["dry_run"], calls[0]["verbose"]) == ("5", True, True)
    assert capsys.readouterr().out == "probed base\n"
    line.main(["probe", "x"])
    assert (calls[1]["limit"], calls[1]["dry_run"]) == (None, False)


def test_config_files_section_and_x_reach_the_config(tmp_path):
    line, calls = _recorder()
    line.main(["-c", "conf/app.ini", "-c", "conf/pyproject.toml", "-n", "db2", "-x", "k=v", "probe", "t"])
    config = calls[0]["config"]
    assert config.config_file_name == "conf/app.ini"
    assert config.toml_file_name == "conf/pyproject.toml"
    assert config.config_ini_section == "db2"
    assert config.cmd_opts.x == ["k=v"]

    line.main(["probe", "t"])
    assert calls[1]["config"].config_file_name == "alembic.ini"
    assert calls[1]["config"].toml_file_name == "pyproject.toml"


def test_config_from_environment_variables(monkeypatch):
    line, calls = _recorder()
    monkeypatch.setenv("ALEMBIC_CONFIG", "from_alembic.ini")
    line.main(["probe", "t"])
    assert calls[-1]["config"].config_file_name == "from_alembic.ini"
    monkeypatch.setenv("DBSHIFT_CONFIG", "from_dbshift.ini")
    line.main(["probe", "t"])
    assert calls[-1]["config"].config_file_name == "from_dbshift.ini"
    line.main(["-c", "given.ini", "probe", "t"])
    assert calls[-1]["config"].config_file_name == "given.ini"


def test_two_ini_files_fail(capsys):
    line, _ = _recorder()
    with pytest.raises(SystemExit) as exc:
        line.main(["-c", "a.ini", "-c", "b.ini", "probe", "t"])
    assert exc.value.code == 1
    assert capsys.readouterr().err.startswith("FAILED: only one ini file may be given")


def test_quiet_silences_stdout_but_not_errors(capsys):
    line, calls = _recorder()
    line.main(["-q", "probe", "t"])
    assert calls and capsys.readouterr().out == ""


# --------------------------------------------------------------------------------------------
# errors


def _failing_line(exc: BaseException) -> CommandLine:
    def explode(config):
        """Raise an error."""
        raise exc

    line = CommandLine(prog="dbshift")
    line.register_command(explode)
    return line


def test_command_error_prints_one_line_and_exits_1(capsys):
    line = _failing_line(CommandError("Can't locate revision\n  identified by 'x'"))
    with pytest.raises(SystemExit) as exc:
        line.main(["-q", "explode"])
    assert exc.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "FAILED: Can't locate revision identified by 'x'\n"


def test_other_errors_print_their_type(capsys):
    with pytest.raises(SystemExit) as exc:
        _failing_line(ZeroDivisionError("division by zero")).main(["explode"])
    assert exc.value.code == 1
    assert capsys.readouterr().err == "FAILED: ZeroDivisionError: division by zero\n"


def test_sqlalchemy_errors_lose_the_background_link(tmp_path, capsys):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'e.db'}")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT * FROM missing")
    except sa.exc.OperationalError as err:
        error = err
    engine.dispose()
    with pytest.raises(SystemExit):
        _failing_line(error).main(["explode"])
    err = capsys.readouterr().err
    assert err == (
        "FAILED: OperationalError: (sqlite3.OperationalError) no such table: missing "
        "[SQL: SELECT * FROM missing]\n"
    )


def test_raiseerr_raises_with_the_traceback():
    with pytest.raises(CommandError, match="boom"):
        _failing_line(CommandError("boom")).main(["--raiseerr", "explode"])
    with pytest.raises(KeyError):
        _failing_line(KeyError("k")).main(["--raiseerr", "explode"])


def test_alembic_style_entry_points():
    # alembic.config (served by dbshift.cli.alembic_config) holds Config and the command line
    from dbshift import config
    from dbshift.cli import alembic_config as cli_alembic_config
    from dbshift.compat import dbshift_name_for

    assert dbshift_name_for("alembic.config") == "dbshift.cli.alembic_config"
    assert cli_alembic_config.main is cli.main
    assert cli_alembic_config.CommandLine is CommandLine
    assert cli_alembic_config.Config is config.Config
    assert cli_alembic_config.resolve_config_files is config.resolve_config_files
    assert not hasattr(config, "main")


# --------------------------------------------------------------------------------------------
# real processes


def _dbshift(
    cwd: Path, *argv: str, python_flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ALEMBIC_CONFIG", "DBSHIFT_CONFIG")}
    env["PYTHONPATH"] = SRC
    return subprocess.run(
        [sys.executable, *python_flags, "-m", "dbshift", *argv],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


def test_python_m_dbshift_runs_a_whole_project(tmp_path):
    assert _dbshift(tmp_path, "init", "migrations").returncode == 0
    made = _dbshift(tmp_path, "revision", "-m", "add users", "--rev-id", "a1b2c3d4")
    assert made.returncode == 0, made.stderr
    path = tmp_path / "migrations" / "versions" / "a1b2c3d4_add_users.py"
    with path.open("a") as fh:
        fh.write(
            "\n\ndef upgrade():\n"
            "    op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))\n"
            "\n\nimport pathlib\n"
            "pathlib.Path(__file__).with_suffix('.imported').touch()\n"
        )
    marker = path.with_suffix(".imported")
    # Graph commands read revision headers only: no SQLAlchemy, no revision module import.
    for graph_command in (("heads",), ("history", "-v")):
        listed = _dbshift(tmp_path, *graph_command, python_flags=("-X", "importtime"))
        assert "a1b2c3d4" in listed.stdout
        assert _imported(listed.stderr) & {"sqlalchemy", "mako.template"} == set()
    assert not marker.exists()

    up = _dbshift(tmp_path, "upgrade", "head")
    assert up.returncode == 0, up.stderr
    assert up.stdout == ""
    assert re.fullmatch(
        r"Running upgrade  -> a1b2c3d4, add users \.\.\.\n  done in \d+ ms\n"
        r"upgrade: 1 step in (\d+ ms|\d+\.\d\d s); database at a1b2c3d4\n",
        up.stderr,
    ), up.stderr
    assert marker.exists()
    # The generated ini logs dbshift at WARNING: the progress lines above are the only output.
    assert "INFO" not in up.stderr
    current = _dbshift(tmp_path, "current")
    assert current.stdout == "a1b2c3d4 (head)\n"

    failed = _dbshift(tmp_path, "downgrade", "a1b2:head")
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[-1] == (
        "FAILED: Range revision not allowed: 'a1b2:head' ('start:end' works only with --sql)"
    )
    assert "Traceback" not in failed.stderr
    raised = _dbshift(tmp_path, "--raiseerr", "downgrade", "a1b2:head")
    assert raised.returncode == 1 and "Traceback (most recent call last)" in raised.stderr


def _imported(importtime_stderr: str) -> set[str]:
    return {line.split("|")[-1].strip() for line in importtime_stderr.splitlines() if "|" in line}


def test_help_imports_neither_sqlalchemy_nor_mako_nor_autogenerate(tmp_path):
    result = _dbshift(tmp_path, "--help", python_flags=("-X", "importtime"))
    assert result.returncode == 0
    imported = _imported(result.stderr)
    assert "dbshift.cli" in imported and "dbshift.command" in imported
    heavy = {
        name for name in imported
        # typing and dataclasses (with inspect) cost --help as much again as the rest of it
        if name.split(".")[0] in ("sqlalchemy", "mako", "typing", "dataclasses", "inspect")
        or name.startswith(("dbshift.autogenerate", "dbshift.runtime", "dbshift.script",
                            "dbshift.operations", "dbshift.ddl"))
    }
    assert heavy == set()
