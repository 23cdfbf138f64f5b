"""``python -m tools.opdiff``: run the catalogue under Alembic and dbshift, print a summary table.

Alembic runs in one subprocess of ``.venv-alembic`` (override with ``--alembic-python`` or
``OPDIFF_ALEMBIC_PYTHON``); dbshift runs in this process. The full report (every case, both outputs)
is written as JSON. Exit status 1 when a difference is not listed in KNOWN_DIFFERENCES.md.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from .cases import DIALECTS, all_cases
from .compare import MATCH_REORDERED, MATCHING, canonical, compare, known_patterns

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ALEMBIC_PYTHON = ROOT / ".venv-alembic" / "bin" / "python"


def run_alembic(python: Path, patterns: list[str]) -> dict[str, Any]:
    """Run the catalogue under Alembic in one subprocess of ``python``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [str(python), "-m", "tools.opdiff.runner", "alembic", *patterns],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"alembic run failed ({python}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def run_dbshift(patterns: list[str]) -> dict[str, Any]:
    """Run the catalogue under dbshift in this process (``src`` is added to sys.path if needed)."""
    try:
        import dbshift  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(ROOT / "src"))
    from .runner import run_cases

    cases = [c for c in all_cases() if not patterns or any(p in c.name for p in patterns)]
    return run_cases("dbshift", cases)


def _directive(case_name: str) -> str:
    return case_name.split(".", 1)[0].split("[", 1)[0]


def summary_table(rows: list[dict[str, Any]]) -> str:
    """Rows: directive; columns: dialect; cell: ``matching/total`` plus ``+k`` known, ``!u`` unknown."""
    cells: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    directives: list[str] = []
    for row in rows:
        directive = _directive(row["name"])
        if directive not in directives:
            directives.append(directive)
        dialect = row["name"].rsplit("[", 1)[1].rstrip("]")
        cell = cells[(directive, dialect)]
        cell["total"] += 1
        if row["outcome"] in MATCHING:
            cell["match"] += 1
        elif row["known"]:
            cell["known"] += 1
        else:
            cell["unknown"] += 1

    def render(cell: Counter[str]) -> str:
        if not cell["total"]:
            return "-"
        text = f"{cell['match']}/{cell['total']}"
        if cell["known"]:
            text += f" +{cell['known']}k"
        if cell["unknown"]:
            text += f" !{cell['unknown']}"
        return text

    width = max(len(d) for d in directives) if directives else 10
    header = f"{'directive':<{width}} | " + " | ".join(f"{d:<12}" for d in DIALECTS)
    lines = [header, "-" * len(header)]
    for directive in directives:
        lines.append(f"{directive:<{width}} | " + " | ".join(
            f"{render(cells[(directive, d)]):<12}" for d in DIALECTS))
    return "\n".join(lines)


def _describe(row: dict[str, Any]) -> str:
    def side(result: dict[str, Any]) -> str:
        if result["error"]:
            err = result["error"]
            head = f"raises {err['type']}: {err['message'][:200]}"
            return head + ("" if not result["sql"] else f" after {result['sql']}")
        return json.dumps(result["sql"])

    head = f"{row['name']}  [{row['outcome']}]\n"
    if row["alembic"]["error"] or row["dbshift"]["error"]:
        return (head + f"    alembic: {side(row['alembic'])}\n"
                f"    dbshift: {side(row['dbshift'])}")
    diff = difflib.unified_diff(canonical(row["alembic"]), canonical(row["dbshift"]),
                                "alembic", "dbshift", n=0, lineterm="")
    return head + "\n".join("    " + line for line in list(diff)[2:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.opdiff", description=__doc__)
    parser.add_argument("patterns", nargs="*", help="only cases whose name contains one of these")
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "opdiff-report.json",
                        help="where to write the full report (default: %(default)s)")
    parser.add_argument("--alembic-python", type=Path,
                        default=Path(os.environ.get("OPDIFF_ALEMBIC_PYTHON",
                                                    DEFAULT_ALEMBIC_PYTHON)))
    parser.add_argument("--show-known", action="store_true",
                        help="also print the details of listed known differences")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the totals")
    args = parser.parse_args(argv)

    if not args.alembic_python.exists():
        print(f"no Alembic interpreter at {args.alembic_python}; create .venv-alembic first",
              file=sys.stderr)
        return 2
    alembic = run_alembic(args.alembic_python, args.patterns)
    dbshift = run_dbshift(args.patterns)
    patterns = known_patterns()
    rows = compare(alembic, dbshift, patterns)

    counts = Counter("match" if r["outcome"] in MATCHING else "known" if r["known"] else "unknown"
                     for r in rows)
    counts["reordered"] = sum(r["outcome"] == MATCH_REORDERED for r in rows)
    unused = [p.text for p in patterns
              if not any(p.matches(r["name"]) for r in rows if r["outcome"] not in MATCHING)]
    report = {
        "totals": {"cases": len(rows), **counts},
        "unused_known_patterns": unused,
        "cases": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1, default=str))

    if not args.quiet:
        print(summary_table(rows))
        print()
        for row in rows:
            if row["outcome"] not in MATCHING and (not row["known"] or args.show_known):
                print(("(known) " if row["known"] else "") + _describe(row))
        if unused and not args.patterns:
            print("\nKNOWN_DIFFERENCES.md entries that match no differing case:")
            for text in unused:
                print(f"    {text}")
    print(f"\n{len(rows)} cases: {counts['match']} match ({counts['reordered']} only in set order), "
          f"{counts['known']} known differences, "
          f"{counts['unknown']} unexplained differences. Report: {args.json}")
    return 1 if counts["unknown"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
