"""What dbshift's start-up hook costs a program that never imports ``alembic``.

Run from the repository root::

    .venv/bin/python benchmarks/startup_bench.py              # 40 runs of each
    .venv/bin/python benchmarks/startup_bench.py --runs 100

dbshift installs ``dbshift-alembic-alias.pth`` beside its package, and ``site`` runs it at every
interpreter start (see ``src/dbshift/compat/startup_hook.py``). To time exactly that file, the
script makes a throwaway virtualenv (no pip, no packages) from the interpreter running it and
times ``python -c pass`` there without the file and with it (the text ``setup.py`` installs),
alternating the two so that drift in the machine's load hits both alike. It prints the median and
the spread (interquartile range) of each, the difference of the medians, and whether that
difference is within the noise (smaller than the larger interquartile range). Nothing else is
installed in the throwaway virtualenv, so the difference is the hook and nothing else; run with
``--venv`` to time an existing virtualenv's ``python -c pass`` with ``DBSHIFT_ALEMBIC_SHIM=off``
instead of the hook removed (the line is still read and compiled there, only not run).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _runner import clean_env  # noqa: E402


def _pth_text() -> tuple[str, str]:
    """``(file name, text)`` of the ``.pth`` file the build installs (from ``setup.py``)."""
    spec = importlib.util.spec_from_file_location("dbshift_setup", os.path.join(ROOT, "setup.py"))
    assert spec is not None and spec.loader is not None
    setup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup)
    return setup.PTH_NAME, setup.startup_hook_pth()


def _seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _summary(times: list[float]) -> tuple[float, float]:
    """Median and interquartile range, in milliseconds."""
    q1, median, q3 = statistics.quantiles(times, n=4)
    return median * 1000, (q3 - q1) * 1000


def _alternate(runs: int, a: tuple[list[str], dict[str, str]], b: tuple[list[str], dict[str, str]],
               before_a: object = None, before_b: object = None) -> tuple[list[float], list[float]]:
    times_a: list[float] = []
    times_b: list[float] = []
    for _ in range(3):  # warm the file system caches for both
        _seconds(*a)
        _seconds(*b)
    for _ in range(runs):
        if before_a:
            before_a()  # type: ignore[operator]
        times_a.append(_seconds(*a))
        if before_b:
            before_b()  # type: ignore[operator]
        times_b.append(_seconds(*b))
    return times_a, times_b


def _report(label_a: str, times_a: list[float], label_b: str, times_b: list[float]) -> None:
    median_a, iqr_a = _summary(times_a)
    median_b, iqr_b = _summary(times_b)
    diff = median_b - median_a
    noise = max(iqr_a, iqr_b)
    print(f"{label_a:<34} median {median_a:7.2f} ms   IQR {iqr_a:5.2f} ms")
    print(f"{label_b:<34} median {median_b:7.2f} ms   IQR {iqr_b:5.2f} ms")
    verdict = "within noise" if abs(diff) <= noise else "MORE than the noise"
    print(f"difference of the medians: {diff:+.2f} ms ({verdict}: IQR {noise:.2f} ms)")


def _throwaway_venv(runs: int) -> None:
    name, text = _pth_text()
    with tempfile.TemporaryDirectory(prefix="dbshift-startup-") as tmp:
        venv = os.path.join(tmp, "venv")
        base_python = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base_python, "-m", "venv", "--without-pip", venv], check=True)
        python = os.path.join(venv, "bin", "python")
        purelib = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        pth = os.path.join(purelib, name)
        hooked = os.path.join(tmp, name)
        with open(hooked, "w", encoding="utf-8") as fh:
            fh.write(text)
        env = clean_env()

        def without() -> None:
            if os.path.exists(pth):
                os.remove(pth)

        def with_hook() -> None:
            shutil.copyfile(hooked, pth)

        argv = [python, "-c", "pass"]
        times_without, times_with = _alternate(
            runs, (argv, env), (argv, env), before_a=without, before_b=with_hook
        )
        print(f"python -c pass in a throwaway virtualenv ({sys.version.split()[0]}), {runs} runs each")
        _report("without dbshift's .pth", times_without, "with dbshift's .pth", times_with)


def _existing_venv(venv: str, runs: int) -> None:
    python = os.path.join(venv, "bin", "python")
    on = clean_env()
    off = dict(on, DBSHIFT_ALEMBIC_SHIM="off")
    argv = [python, "-c", "pass"]
    times_off, times_on = _alternate(runs, (argv, off), (argv, on))
    print(f"python -c pass in {venv}, {runs} runs each")
    _report("DBSHIFT_ALEMBIC_SHIM=off", times_off, "default (hook on the meta path)", times_on)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="timed runs of each (default 40)")
    parser.add_argument("--venv", help="time this virtualenv (hook installed) instead")
    args = parser.parse_args()
    if args.venv:
        _existing_venv(args.venv, args.runs)
    else:
        _throwaway_venv(args.runs)


if __name__ == "__main__":
    main()
