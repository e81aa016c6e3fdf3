"""The code of the release, checked out of git into a temporary directory, and its
``fenpay serve`` running there (its own ``app``, ``models`` and ``migrations`` shadow this
checkout's: ``python -m`` puts the working directory first on the import path)."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import httpx

from app import dbschema
from tests.e2e.server import ServedFenpay, forbidden_excerpt, free_port, stop

from .conftest import ROOT

# What ``fenpay serve`` needs of a tree (tests, docs and benchmarks are left out).
PARTS = ("app", "models", "migrations", "schema", "resolvers", "web", "pyproject.toml")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def has_history() -> bool:
    """True in a git checkout with its full history (a shallow clone or an unpacked archive
    has no release to check out)."""
    done = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip() == "false"


def previous_release() -> tuple[str, str]:
    """(commit, its last migration) of the release (``app.dbschema.RELEASED``): the commit
    just before the first later migration was added (HEAD while that one is uncommitted)."""
    files = dbschema.version_files()
    names = [p.name for p in files]
    first_later = files[names.index(dbschema.RELEASED) + 1].relative_to(ROOT)
    added = _git("log", "--diff-filter=A", "--format=%H", "--", str(first_later)).splitlines()
    commit = _git("rev-parse", f"{added[-1]}^" if added else "HEAD")
    shipped = _git("ls-tree", "--name-only", commit, "migrations/models/").splitlines()
    versions = sorted((Path(n).name for n in shipped if Path(n).name[:1].isdigit()), key=lambda n: int(n.split("_")[0]))
    return commit, versions[-1]


def check_out(commit: str, into: Path) -> Path:
    """The release's files under ``into`` (``git archive``; nothing of this checkout is touched)."""
    present = set(_git("ls-tree", "--name-only", commit).splitlines())
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, *[p for p in PARTS if p in present]],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout
    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


class ReleaseServer(ServedFenpay):
    """``fenpay serve`` of the release tree; ``run`` runs that tree's ``fenpay`` commands too."""

    tree: Path

    def run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([sys.executable, "-m", "app.cli", *args], env=self.env, cwd=self.tree,
                              capture_output=True, text=True, timeout=timeout)
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"release fenpay {' '.join(args)} exited {done.returncode}:\n{output}"
        assert forbidden_excerpt(output) is None, output
        return done.stdout


def start(tree: Path, env: dict[str, str], log_dir: Path) -> ReleaseServer:
    port = free_port()
    served = ReleaseServer(port=port, env=env, log_path=log_dir / "release-server.log", workers=1, backend="release")
    served.tree = tree
    with served.log_path.open("w", encoding="utf-8") as log:
        served.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "1"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tree,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{served.url}/health", timeout=1).status_code == 200:
                return served
        except httpx.HTTPError:
            pass
        if served.process.poll() is not None or time.monotonic() > deadline:
            stop(served)
            raise RuntimeError(f"the release's fenpay serve did not start:\n{served.output()}")
        time.sleep(0.2)  # start-up poll of an external process, not a wait for a job
