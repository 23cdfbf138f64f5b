"""``python -m tools.lint_chains``: ``dbshift lint`` over the real chains of tools/difftest.

Every chain in :data:`tools.difftest.chains.CHAINS` is fetched (``pip download`` into the cache,
as the differential tests do), then linted offline for each dialect with ``dbshift lint
--dialect D --format json`` in a subprocess (the chain's import paths on ``PYTHONPATH``). The
output is a Markdown table of the findings per chain, dialect and severity, then the counts per
rule: the table in the README's lint section. ``--json PATH`` also writes every finding.
Exit status 0 when every chain was linted (findings are the point, not a failure), 3 when a
chain could not be fetched.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DIALECTS = ("postgresql", "mysql", "sqlite")


#: dialect -> the difftest backend whose revisions it reads
BACKEND_OF = {"postgresql": "postgresql", "mysql": "mariadb", "sqlite": "sqlite"}


def _project(name: str, dialect: str) -> Any:
    """The chain's project for ``dialect`` (chains with one revision directory per backend
    give the one of that backend)."""
    import inspect

    from .difftest.chains import CHAINS, project_for

    chain = CHAINS[name]
    if "backend" in inspect.signature(project_for).parameters:
        return project_for(chain, backend=BACKEND_OF[dialect])
    return project_for(chain)


def dialects_of(name: str) -> tuple[str, ...]:
    """The dialects the chain supports (its difftest backends)."""
    from .difftest.chains import CHAINS

    backends = CHAINS[name].backends
    return tuple(d for d in DIALECTS if BACKEND_OF[d] in backends)


def lint_chain(name: str, dialect: str, work: Path) -> list[dict[str, Any]]:
    """The findings (JSON objects) of ``dbshift lint`` over chain ``name`` for ``dialect``."""
    project = _project(name, dialect)
    versions = getattr(project, "versions_dir", None) or project.source / "versions"
    ini = work / f"{name}-{dialect}.ini"
    ini.write_text(
        (
            f"[alembic]\nscript_location = {project.source}\nversion_locations = {versions}\n"
            f"sqlalchemy.url = {dialect}://\n"
        ).replace("%", "%%")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    home = work / f"home-{name}"
    home.mkdir(exist_ok=True)
    for key, value in getattr(project, "environ", ()) or ():
        env[key] = value.replace("{home}", str(home))
    paths = [str(ROOT / "src"), *project.extra_paths]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    done = subprocess.run(
        [sys.executable, "-m", "dbshift", "-c", str(ini), "lint", "--dialect", dialect,
         "--format", "json"],
        cwd=work, env=env, capture_output=True, text=True, check=False, timeout=600,
    )
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise RuntimeError(f"lint of {name} ({dialect}) exited {done.returncode}: {done.stderr}")
    return json.loads(done.stdout)


def revision_count(findings_run: list[dict[str, Any]], name: str, dialect: str) -> int:
    """The number of revision files of the chain for ``dialect``."""
    project = _project(name, dialect)
    versions = getattr(project, "versions_dir", None) or project.source / "versions"
    return sum(1 for p in Path(versions).rglob("*.py") if p.name != "__init__.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.lint_chains", description=__doc__.split("\n\n")[0])
    parser.add_argument("--chain", action="append", help="only this chain (repeatable)")
    parser.add_argument("--dialect", action="append", choices=DIALECTS, help="only this dialect")
    parser.add_argument("--json", type=Path, help="write every finding here")
    args = parser.parse_args(argv)

    from .difftest.chains import CHAINS, FetchError

    names = args.chain or list(CHAINS)
    dialects = args.dialect or list(DIALECTS)
    everything: dict[str, dict[str, list[dict[str, Any]]]] = {}
    rules: Counter[tuple[str, str]] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            try:
                everything[name] = {
                    d: lint_chain(name, d, Path(tmp)) for d in dialects if d in dialects_of(name)
                }
            except FetchError as err:
                print(f"lint_chains: unavailable: {err}", file=sys.stderr)
                return 3
    print("| chain | revisions | dialect | errors | warnings | info | suppressed |")
    print("|---|---|---|---|---|---|---|")
    for name, by_dialect in everything.items():
        for dialect, findings in by_dialect.items():
            count = revision_count(findings, name, dialect)
            active = [f for f in findings if "suppressed" not in f]
            severities = Counter(f["severity"] for f in active)
            print(
                f"| {name} | {count} | {dialect} | {severities['error']} | "
                f"{severities['warning']} | {severities['info']} | "
                f"{len(findings) - len(active)} |"
            )
            rules.update((f["rule"], dialect) for f in active)
    print()
    print("| rule | " + " | ".join(dialects) + " |")
    print("|---|" + "---|" * len(dialects))
    for rule in sorted({rule for rule, _ in rules}):
        print(f"| {rule} | " + " | ".join(str(rules[(rule, d)]) for d in dialects) + " |")
    if args.json:
        args.json.write_text(json.dumps(everything, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
