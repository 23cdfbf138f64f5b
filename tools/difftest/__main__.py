"""``python -m tools.difftest MIGRATION_DIR_OR_INI --backend sqlite|postgresql|mariadb``.

Runs the project under Alembic 1.20 (``.venv-alembic``) and dbshift, each on a fresh database, and
prints a report; ``--json PATH`` writes the summary. ``--chain NAME`` runs one of the real chains
of :mod:`tools.difftest.chains` (fetched from PyPI into the cache) instead of a path. Exit status 0
when everything compared equal, 1 when something differs, 2 on a usage error, 3 when something the
run needs is unavailable (PyPI unreachable, no Alembic virtualenv, database server down); the
reason is printed on stderr as ``difftest: unavailable: ...``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from .databases import BACKENDS, BackendUnavailable, check_backend
from .runner import Project, ensure_alembic_venv, run_difftest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.difftest", description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", help="migration directory (with env.py) or alembic.ini")
    parser.add_argument("--chain", help="a real chain by name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the real chains and exit")
    parser.add_argument(
        "--fetch", action="store_true",
        help="fetch and install the real chains into the cache (all, or --chain) and exit",
    )
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite")
    parser.add_argument("--env", type=Path, help="harness env.py to use instead of the directory's own")
    parser.add_argument("--version-table", default="alembic_version")
    parser.add_argument("-n", "--name", default="alembic", help="ini section (default: alembic)")
    parser.add_argument("--pythonpath", action="append", default=[], help="extra PYTHONPATH entry")
    parser.add_argument("--sql", action="store_true", help="also print the offline SQL of both tools")
    parser.add_argument("--json", type=Path, help="write the JSON summary here")
    parser.add_argument("--work-dir", type=Path, help="keep the run's files here (default: a temp dir)")
    args = parser.parse_args(argv)

    from . import chains

    if args.list:
        for chain in chains.CHAINS.values():
            print(f"{chain.name:14} {chain.requirement:40} {chain.migrations}  backends: {', '.join(chain.backends)}")
        return 0
    if args.fetch:
        return _fetch(chains, [args.chain] if args.chain else list(chains.CHAINS))
    if args.chain and args.chain not in chains.CHAINS:
        parser.error(f"unknown chain {args.chain!r}; choose from {', '.join(chains.CHAINS)}")
    if args.chain and args.backend not in chains.CHAINS[args.chain].backends:
        backends = ", ".join(chains.CHAINS[args.chain].backends)
        parser.error(f"chain {args.chain!r} runs on {backends}, not {args.backend}")
    try:
        ensure_alembic_venv()
        check_backend(args.backend)
        if args.chain:
            project = chains.project_for(chains.CHAINS[args.chain], backend=args.backend)
        elif args.source:
            project = Project(
                source=Path(args.source),
                env_file=args.env,
                version_table=args.version_table,
                extra_paths=tuple(args.pythonpath),
                ini_section=args.name,
            )
        else:
            parser.error("give a migration directory / ini, or --chain")
    except (RuntimeError, BackendUnavailable) as err:
        print(f"difftest: unavailable: {' '.join(str(err).split())}", file=sys.stderr)
        return 3

    with tempfile.TemporaryDirectory(prefix="difftest-") as tmp:
        work_dir = args.work_dir or Path(tmp)
        summary = run_difftest(project, args.backend, work_dir)
    from .compare import render_report

    print(render_report(summary))
    if args.sql:
        for tool, run in summary["runs"].items():
            for name in ("sql_upgrade", "sql_downgrade"):
                print(f"\n===== {tool} {name} =====")
                print(run["steps"][name].get("sql", ""))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1, sort_keys=True, default=str))
    return 0 if summary["identical"] else 1


def _fetch(chains: Any, names: list[str]) -> int:
    """Fetch every chain in ``names`` (one line each); 3 when one can't be had."""
    for name in names:
        if name not in chains.CHAINS:
            print(f"difftest: unknown chain {name!r}", file=sys.stderr)
            return 2
        chain = chains.CHAINS[name]
        try:
            project = chains.project_for(chain, backend=chain.backends[0])
        except RuntimeError as err:
            print(f"difftest: unavailable: {' '.join(str(err).split())}", file=sys.stderr)
            return 3
        print(f"{name}: {project.source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
