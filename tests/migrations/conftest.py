"""Migration tests build their own databases with the real ``fenpay`` command in subprocesses
(SQLite files in a temporary directory, or fresh PostgreSQL databases when
FENPAY_TEST_DATABASE_URL is set); they never use the in-process platform's database."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.harness.database import create_test_database, drop_test_database

PG_URL = os.environ.get("FENPAY_TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_state() -> None:
    """Overrides the in-process harness's fixture: these tests do not use its database."""
    return None


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of empty databases of the selected backend (dropped afterwards)."""
    made: list[str] = []

    def make() -> str:
        if PG_URL:
            url = create_test_database(PG_URL)
        else:
            url = f"sqlite://{tmp_path / f'db-{secrets.token_hex(4)}.sqlite3'}"
        made.append(url)
        return url

    yield make
    if PG_URL:
        for url in made:
            drop_test_database(PG_URL, url)


def fenpay_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FENPAY_")}
    env.update({"FENPAY_MODE": "sandbox", "FENPAY_DATA_DIR": str(data_dir), "FENPAY_DATABASE_URL": database_url})
    return env


def run(args: list[str], env: dict[str, str], cwd: Path = ROOT, timeout: float = 300) -> str:
    """Run a command; its output (failing on a non-zero exit or a traceback)."""
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{output}"
    assert "Traceback" not in output, output
    return done.stdout


def fenpay(*args: str, env: dict[str, str], cwd: Path = ROOT) -> str:
    return run([sys.executable, "-m", "app.cli", *args], env=env, cwd=cwd)
