"""Benchmark the migration workflow: the same workloads with Alembic 1.20 and dbshift, in one run.

Run from the repository root::

    .venv/bin/python benchmarks/workflow_bench.py            # everything (several minutes)
    .venv/bin/python benchmarks/workflow_bench.py --only heads,history --runs 3

Each tool runs as its own CLI in a subprocess (Alembic from ``.venv-alembic``, dbshift from
``.venv``) on its own copy of a generated project under ``/tmp/dbshift-bench``: the same
revision files, importing ``op``/``context`` from their own package. Every command runs once to
warm the bytecode and index caches, then ``--runs`` rounds are timed with the tools interleaved;
the table shows the medians. The two tools' results are compared (heads, history lines, the
schema left in the database, the SQL statements), so a fast wrong answer cannot pass.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _postgres  # noqa: E402
import _projects  # noqa: E402
from _runner import ALEMBIC, DBSHIFT, DBSHIFT_PYTHON, Job, Timing, Tool, run, timed  # noqa: E402

WORKDIR = "/tmp/dbshift-bench"
SQLITE_URL = "sqlite:///%(here)s/bench.db"
GROUPS = ("help", "heads", "history", "upgrade", "athead", "downgrade", "offline")
PG_SIZES = (500, 1000, 2000)


@dataclass
class Row:
    """One line of the result table."""

    workload: str
    target: float | None
    results: dict[str, Timing | str] = field(default_factory=dict)  # tool -> timing or error
    checks: list[str] = field(default_factory=list)

    def seconds(self, tool: str) -> float | None:
        value = self.results.get(tool)
        return value.median if isinstance(value, Timing) else None

    def stdout(self, tool: str) -> str:
        value = self.results.get(tool)
        return value.stdout if isinstance(value, Timing) else ""

    def cpu(self, tool: str) -> float | None:
        value = self.results.get(tool)
        return value.cpu_median if isinstance(value, Timing) else None

    @property
    def ratio(self) -> float | None:
        a, d = self.seconds("alembic"), self.seconds("dbshift")
        return a / d if a is not None and d else None

    @property
    def cpu_ratio(self) -> float | None:
        a, d = self.cpu("alembic"), self.cpu("dbshift")
        return a / d if a is not None and d else None


class Bench:
    """Generates the projects, runs every workload, collects rows."""

    def __init__(self, runs: int, pg_runs: int, only: set[str]) -> None:
        self.runs = runs
        self.pg_runs = pg_runs
        self.only = only
        self.rows: list[Row] = []
        # (tool, "wall" | "cpu") -> chain length -> median seconds
        self.linearity: dict[tuple[str, str], dict[int, float]] = {}

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def project(name: str, revs: list[_projects.Rev], tool: Tool, url: str, pkg: str = "") -> str:
        """Write ``tool``'s copy of project ``name``; ``pkg`` overrides what scripts import."""
        root = os.path.join(WORKDIR, name, tool.name + ("_" + pkg if pkg else ""))
        return _projects.write_project(root, revs, pkg or tool.pkg, url)

    def start(self, workload: str, target: float | None) -> Row:
        print(f"\n== {workload}", flush=True)
        row = Row(workload, target)
        self.rows.append(row)
        return row

    def measure(self, row: Row, jobs: list[Job], runs: int | None = None) -> None:
        """Time ``jobs`` (interleaved) into ``row.results``."""
        results = timed(jobs, runs or self.runs)
        for key, value in results.items():
            row.results[key] = value
            if isinstance(value, Timing):
                shown = ", ".join(f"{t:.3f}" for t in value.times)
                print(
                    f"    {key:<14} median {value.median:7.3f} s (cpu {value.cpu_median:.3f} s)"
                    f"   runs: {shown}",
                    flush=True,
                )
            else:
                print(f"    {key:<14} {value}", flush=True)

    @staticmethod
    def check(row: Row, ok: bool, what: str) -> None:
        row.checks.append(("ok   " if ok else "DIFF ") + what)
        print(f"    check: {'ok' if ok else 'MISMATCH'}: {what}", flush=True)

    def check_no_imports(self, row: Row, project: str) -> None:
        """``dbshift heads`` must import neither SQLAlchemy nor Mako nor a revision module."""
        probe = (
            "import sys\n"
            "sys.argv = ['dbshift', 'heads']\n"
            "from dbshift.cli import main\n"
            "try:\n"
            "    main()\n"
            "finally:\n"
            "    bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'mako')"
            " or m.startswith('_dbshift_rev_')]\n"
            "    sys.stderr.write('MODULES %d %s\\n' % (len(sys.modules), ' '.join(sorted(bad)[:5])))\n"
        )
        proc = run(Tool("probe", (DBSHIFT_PYTHON, "-c", probe), "dbshift"), [], project)
        line = [x for x in proc.stderr.splitlines() if x.startswith("MODULES ")][-1].split()
        self.check(
            row,
            len(line) == 2,
            f"dbshift heads imports no SQLAlchemy/Mako/revision module "
            f"({line[1]} modules loaded; offenders: {line[2:] or 'none'})",
        )

    # -- workloads ----------------------------------------------------------------------------

    def help(self) -> None:
        row = self.start("--help", 3)
        os.makedirs(WORKDIR, exist_ok=True)
        jobs = [Job(t.name, t, ["--help"], WORKDIR) for t in (ALEMBIC, DBSHIFT)]
        self.measure(row, jobs, runs=self.runs * 2)
        for sub in ("upgrade", "downgrade", "heads", "history", "stamp", "merge"):
            self.check(row, sub in row.stdout("dbshift"), f"dbshift --help lists {sub}")

    def graph(self, name: str, label: str, revs: list[_projects.Rev]) -> None:
        dirs = {t.name: self.project(name, revs, t, SQLITE_URL) for t in (ALEMBIC, DBSHIFT)}
        for command in ("heads", "history"):
            if command not in self.only:
                continue
            row = self.start(f"{command}, {label}", 20)
            self.measure(row, [Job(t.name, t, [command], dirs[t.name]) for t in (ALEMBIC, DBSHIFT)])
            outs = {k: row.stdout(k) for k in ("alembic", "dbshift")}
            if command == "heads":
                self.check_no_imports(row, dirs["dbshift"])
                heads = {
                    k: sorted(line.split()[0] for line in v.splitlines() if line.strip())
                    for k, v in outs.items()
                }
                self.check(
                    row,
                    heads["alembic"] == heads["dbshift"],
                    f"same heads ({len(heads['alembic'])})",
                )
            else:
                ids = {k: Counter(re.findall(r"\b[0-9a-f]{12}\b", v)) for k, v in outs.items()}
                lines = {k: len(v.splitlines()) for k, v in outs.items()}
                self.check(
                    row,
                    ids["alembic"] == ids["dbshift"] and lines["alembic"] == lines["dbshift"],
                    f"same history lines ({lines['alembic']} vs {lines['dbshift']}) "
                    "and revision ids",
                )

    def upgrade_sqlite(self, n: int = 500) -> None:
        """``upgrade head`` online on a fresh SQLite file, both tools, plus dbshift running
        scripts that say ``from alembic import op`` (served by dbshift's alias)."""
        revs = _projects.linear_chain(n)
        dirs = {t.name: self.project(f"sqlite{n}", revs, t, SQLITE_URL) for t in (ALEMBIC, DBSHIFT)}
        dirs["dbshift-alias"] = self.project(f"sqlite{n}", revs, DBSHIFT, SQLITE_URL, "alembic")

        def fresh(d: str) -> Callable[[], None]:
            def remove() -> None:
                if os.path.exists(os.path.join(d, "bench.db")):
                    os.remove(os.path.join(d, "bench.db"))

            return remove

        row = self.start(f"upgrade head, SQLite, {n} DDL revisions", 8)
        alias = Row("  same, dbshift scripts `from alembic import op`", 8)
        tools = {"alembic": ALEMBIC, "dbshift": DBSHIFT, "dbshift-alias": DBSHIFT}
        jobs = [Job(k, t, ["upgrade", "head"], dirs[k], fresh(dirs[k])) for k, t in tools.items()]
        self.measure(row, jobs)
        alias.results = {"alembic": row.results["alembic"], "dbshift": row.results["dbshift-alias"]}
        del row.results["dbshift-alias"]
        self.rows.append(alias)
        schemas = {name: _sqlite_schema(os.path.join(d, "bench.db")) for name, d in dirs.items()}
        for name, target in (("dbshift", row), ("dbshift-alias", alias)):
            self.check(
                target,
                schemas[name] == schemas["alembic"] and bool(schemas["alembic"][1]),
                f"{name}: same tables/columns/indexes and version row as alembic "
                f"({len(schemas['alembic'][0])} schema objects)",
            )

    def downgrade_postgres(self) -> None:
        """``downgrade base`` from head (reached untimed by the same tool) on PostgreSQL."""
        with _postgres.bench_database() as url:
            for n in PG_SIZES:
                revs = _projects.linear_chain(n)
                target = 10 if n == max(PG_SIZES) else None
                row = self.start(f"downgrade base, PostgreSQL, {n:,} revisions", target)
                left: dict[str, tuple[int, list[str]]] = {}
                jobs = []
                for tool in (ALEMBIC, DBSHIFT):
                    d = self.project(f"pg{n}", revs, tool, url)

                    def upgraded(tool: Tool = tool, d: str = d) -> None:
                        _postgres.reset_schema()
                        run(tool, ["upgrade", "head"], d)

                    def inspect(key: str = tool.name, left: dict = left) -> None:
                        left[key] = _postgres.table_count()

                    job = Job(tool.name, tool, ["downgrade", "base"], d, upgraded, inspect)
                    jobs.append(job)
                # Interleaved like the rest: each run starts from its own tool's upgrade.
                self.measure(row, jobs, runs=self.pg_runs)
                for key in ("alembic", "dbshift"):
                    seconds = row.seconds(key)
                    if seconds is None:
                        continue
                    self.linearity.setdefault((key, "wall"), {})[n] = seconds
                    self.linearity.setdefault((key, "cpu"), {})[n] = row.cpu(key) or 0.0
                    tables, versions = left[key]
                    self.check(
                        row,
                        tables == 1 and versions == [],
                        f"{key}: only an empty alembic_version left "
                        f"(tables={tables}, rows={versions})",
                    )

    def upgrade_at_head_postgres(self, n: int = 1000) -> None:
        """``upgrade head`` when the database is already at head: the start-up of every replica
        of an application. dbshift reads the version table before taking the migration lock and
        takes none when there is nothing to do; ``--no-lock`` shows the same run without it."""
        revs = _projects.linear_chain(n)
        with _postgres.bench_database() as url:
            dirs = {t.name: self.project(f"athead{n}", revs, t, url) for t in (ALEMBIC, DBSHIFT)}
            _postgres.reset_schema()
            run(DBSHIFT, ["upgrade", "head"], dirs["dbshift"])  # both projects: same revisions
            row = self.start(f"upgrade head at head, PostgreSQL, {n:,} revisions", None)
            unlocked = Row("  same, dbshift --no-lock (no migration lock)", None)
            jobs = [
                Job("alembic", ALEMBIC, ["upgrade", "head"], dirs["alembic"]),
                Job("dbshift", DBSHIFT, ["upgrade", "head"], dirs["dbshift"]),
                Job("dbshift-nolock", DBSHIFT, ["upgrade", "head", "--no-lock"], dirs["dbshift"]),
            ]
            self.measure(row, jobs)
            unlocked.results = {
                "alembic": row.results["alembic"],
                "dbshift": row.results.pop("dbshift-nolock"),
            }
            self.rows.append(unlocked)
            for key in ("alembic", "dbshift"):
                self.check(
                    row,
                    "Running" not in row.stdout(key),
                    f"{key}: ran nothing (already at head)",
                )
            locked, bare = row.seconds("dbshift"), unlocked.seconds("dbshift")
            if locked is not None and bare is not None:
                print(f"    lock on vs --no-lock: {(locked - bare) * 1000:+.1f} ms", flush=True)

    def offline(self, n: int = 5000) -> None:
        revs = _projects.linear_chain(n)
        row = self.start(f"upgrade head --sql, {n:,} revisions (PostgreSQL)", 3)
        jobs = []
        for tool in (ALEMBIC, DBSHIFT):
            d = self.project(f"offline{n}", revs, tool, _postgres.BENCH_URL)
            jobs.append(Job(tool.name, tool, ["upgrade", "head", "--sql"], d))
        self.measure(row, jobs)
        kinds = {k: _statement_kinds(row.stdout(k)) for k in ("alembic", "dbshift")}
        self.check(
            row,
            kinds["alembic"] == kinds["dbshift"],
            f"same statements: {dict(kinds['alembic'])}",
        )

    # -- report -------------------------------------------------------------------------------

    def table(self) -> str:
        header = ("workload", "alembic s", "dbshift s", "ratio", "target", "met?", "cpu ratio")
        lines = []
        for row in self.rows:
            a, d, ratio = row.seconds("alembic"), row.seconds("dbshift"), row.ratio
            lines.append(
                (
                    row.workload,
                    f"{a:.3f}" if a is not None else _short(row.results.get("alembic")),
                    f"{d:.3f}" if d is not None else _short(row.results.get("dbshift")),
                    f"{ratio:.1f}x" if ratio else "-",
                    f"{row.target:g}x" if row.target else "-",
                    ("yes" if ratio >= row.target else "NO") if ratio and row.target else "-",
                    f"{row.cpu_ratio:.1f}x" if row.cpu_ratio else "-",
                )
            )
        widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
        fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
        out = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
        out += [fmt.format(*line) for line in lines]
        return "\n".join(out)

    def linearity_report(self) -> str:
        """Marginal cost per revision between chain lengths: flat when linear, doubling per
        doubling of the chain when quadratic."""
        out = []
        for (tool, kind), times in sorted(self.linearity.items()):
            sizes = sorted(times)
            if len(sizes) < 3:
                continue
            pairs = list(zip(sizes, sizes[1:]))
            slopes = [(times[b] - times[a]) / (b - a) * 1000 for a, b in pairs]
            if min(slopes) > 0:
                growth = max(b / a for a, b in zip(slopes, slopes[1:]))
                verdict = "linear" if growth < 1.4 else f"NOT linear (grows {growth:.1f}x)"
            else:
                verdict = "inconclusive (noise)"
            pts = ", ".join(f"{n:,}: {times[n]:.3f} s" for n in sizes)
            sl = ", ".join(f"{a:,}->{b:,}: {s:.2f} ms/rev" for (a, b), s in zip(pairs, slopes))
            out.append(
                f"  {tool:<8} {kind:<4}  {pts}\n                 marginal {sl}  => {verdict}"
            )
        return "\n".join(out)


def _short(value: object) -> str:
    return "FAILED" if isinstance(value, str) and value.startswith("FAILED") else "-"


def _sqlite_schema(path: str) -> tuple[list[tuple], list[tuple]]:
    """(schema objects and columns, version rows) of a SQLite file."""
    if not os.path.exists(path):
        return [], []
    conn = sqlite3.connect(path)
    try:
        objs = conn.execute(
            "SELECT type, name, tbl_name FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
        ).fetchall()
        cols = []
        for _, name, _ in [o for o in objs if o[0] == "table"]:
            info = conn.execute(f'PRAGMA table_info("{name}")')
            cols += [(name, c[1], c[2].upper()) for c in info]
        version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        return objs + cols, version
    finally:
        conn.close()


_KINDS = re.compile(
    r"(CREATE TABLE|ALTER TABLE|CREATE INDEX|UPDATE alembic_version|INSERT INTO alembic_version"
    r"|BEGIN|COMMIT)"
)


def _statement_kinds(sql: str) -> Counter:
    return Counter(m.group(1) for m in map(_KINDS.match, sql.splitlines()) if m)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument(
        "--pg-runs", type=int, default=3, help="timed runs per PostgreSQL downgrade (default 3)"
    )
    parser.add_argument(
        "--only", default=",".join(GROUPS), help=f"comma list of: {', '.join(GROUPS)}"
    )
    parser.add_argument("--keep", action="store_true", help=f"keep the projects in {WORKDIR}")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    for tool in (ALEMBIC, DBSHIFT):
        if not os.path.exists(tool.argv[0]):
            sys.exit(f"{tool.argv[0]} is missing (see benchmarks/README.md)")
    if os.path.exists(WORKDIR):
        shutil.rmtree(WORKDIR)
    print(f"start: {_load()}")
    bench = Bench(args.runs, args.pg_runs, only)
    try:
        if "help" in only:
            bench.help()
        if only & {"heads", "history"}:
            bench.graph("graph_linear5000", "linear 5,000", _projects.linear_chain(5000))
            bench.graph("graph_branchy1000", "branchy 1,000", _projects.branchy_graph(1000))
        if "upgrade" in only:
            bench.upgrade_sqlite()
        if "athead" in only:
            bench.upgrade_at_head_postgres()
        if "downgrade" in only:
            bench.downgrade_postgres()
        if "offline" in only:
            bench.offline()
    finally:
        if not args.keep and os.path.exists(WORKDIR):
            shutil.rmtree(WORKDIR)
    print(f"\nend: {_load()}")
    print(f"medians of {args.runs} runs ({args.pg_runs} for PostgreSQL), after one warm-up run\n")
    print(bench.table())
    lin = bench.linearity_report()
    if lin:
        print(
            "\ndowngrade base on PostgreSQL by chain length (wall: whole run, incl. the server's"
            " DDL work;\ncpu: the tool process alone):\n" + lin
        )
    failed = [
        f"{r.workload} [{k}]: {v}"
        for r in bench.rows
        for k, v in r.results.items()
        if isinstance(v, str)
    ]
    mismatched = [f"{r.workload}: {c}" for r in bench.rows for c in r.checks if c[:4] == "DIFF"]
    if failed or mismatched:
        print("\nproblems:\n  " + "\n  ".join(failed + mismatched))
    return 0


if __name__ == "__main__":
    sys.exit(main())
