"""Real Alembic chains shipped inside PyPI packages, fetched on demand (never committed).

``pip download --no-deps`` puts the pinned wheel into the cache
(``$DBSHIFT_DIFFTEST_CACHE``, default ``~/.cache/dbshift-difftest``); the wheel is unpacked there
once. Chains whose revision files import their own package (optuna) also get that package's light
runtime dependencies installed into the cache with ``pip install --target`` and put on
``PYTHONPATH`` for both tools. Each chain runs with a harness ``env.py`` from ``envs/``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .runner import Project

HERE = Path(__file__).resolve().parent
ENVS = HERE / "envs"


class FetchError(RuntimeError):
    """A package could not be fetched (PyPI unreachable, or pip failed)."""


@dataclass(frozen=True)
class Chain:
    """One migration chain inside a wheel."""

    name: str
    requirement: str  # pinned "name==version"
    migrations: str  # the migration directory inside the wheel (holds versions/)
    env: str  # harness env.py in envs/
    version_table: str = "alembic_version"
    backends: tuple[str, ...] = ("sqlite", "postgresql", "mariadb")
    imports_package: bool = False  # revision files import the package itself
    deps: tuple[str, ...] = ()  # what importing the package needs, installed --no-deps


CHAINS: dict[str, Chain] = {
    chain.name: chain
    for chain in (
        Chain(
            "optuna",
            "optuna==5.0.0",
            "optuna/storages/_rdb/alembic",
            "optuna.py",
            imports_package=True,
            deps=("numpy", "colorlog", "tqdm", "PyYAML", "packaging"),
        ),
        Chain("aim-storage", "aim==3.29.1", "aim/storage/migrations", "aim_storage.py"),
        Chain("aim-web", "aim==3.29.1", "aim/web/migrations", "aim_web.py"),
        Chain(
            "airflow-fab",
            "apache-airflow-providers-fab==3.10.2",
            "airflow/providers/fab/migrations",
            "airflow_fab.py",
            version_table="alembic_version_fab",
        ),
    )
}


def cache_dir() -> Path:
    """Where wheels, unpacked wheels and dependency sites are kept."""
    override = os.environ.get("DBSHIFT_DIFFTEST_CACHE")
    return Path(override) if override else Path.home() / ".cache" / "dbshift-difftest"


def _pip(*args: str) -> None:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        tail = " / ".join((done.stdout + done.stderr).strip().splitlines()[-4:])
        raise FetchError(f"pip {args[0]} {args[-1]} failed: {tail}")


def fetch_wheel(requirement: str) -> Path:
    """The wheel for ``requirement`` (``name==version``), downloaded into the cache if missing."""
    name, _, version = requirement.partition("==")
    wheels = cache_dir() / "wheels"
    prefix = f"{name.replace('-', '_').lower()}-{version}-"
    found = sorted(p for p in wheels.glob("*.whl") if p.name.lower().startswith(prefix))
    if not found:
        wheels.mkdir(parents=True, exist_ok=True)
        _pip("download", "--no-deps", "--only-binary=:all:", "-q", "-d", str(wheels), requirement)
        found = sorted(p for p in wheels.glob("*.whl") if p.name.lower().startswith(prefix))
        if not found:
            raise FetchError(f"pip download {requirement} left no wheel in {wheels}")
    return found[-1]


def unpack(wheel: Path) -> Path:
    """The wheel unpacked into the cache (once)."""
    target = cache_dir() / "unpacked" / wheel.stem
    if not (target / ".complete").exists():
        if target.exists():
            shutil.rmtree(target)
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(target)
        (target / ".complete").write_text(wheel.name)
    return target


def dependency_site(chain: Chain) -> Path:
    """A ``pip install --target`` directory with the chain's import dependencies."""
    key = hashlib.sha1(" ".join(sorted(chain.deps)).encode()).hexdigest()[:10]
    target = cache_dir() / "sites" / f"{sys.version_info[0]}{sys.version_info[1]}-{key}"
    if not (target / ".complete").exists():
        if target.exists():
            shutil.rmtree(target)
        _pip("install", "-q", "--no-deps", "--only-binary=:all:", "--target", str(target), *chain.deps)
        (target / ".complete").write_text(" ".join(chain.deps))
    return target


def project_for(chain: Chain) -> Project:
    """Fetch ``chain`` and describe it as a :class:`~tools.difftest.runner.Project`."""
    root = unpack(fetch_wheel(chain.requirement))
    migrations = root / chain.migrations
    if not (migrations / "versions").is_dir():
        raise FetchError(f"{chain.requirement}: no {chain.migrations}/versions in the wheel")
    extra: list[str] = []
    if chain.imports_package:
        extra.append(str(root))
    if chain.deps:
        extra.append(str(dependency_site(chain)))
    return Project(
        source=migrations,
        env_file=ENVS / chain.env,
        version_table=chain.version_table,
        extra_paths=tuple(extra),
        label=f"{chain.name} ({chain.requirement}, {chain.migrations})",
    )
