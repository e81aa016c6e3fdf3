"""A database built by every migration (``fenpay migrate``) has exactly the tables, columns,
indexes and foreign keys that the models describe, on the selected backend; ``fenpay migrate``
applies each migration once; the released ``0_initial`` stays frozen."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

from app import dbschema

from .conftest import ROOT, fenpay, fenpay_env, run
from .shape import differences, postgres_shape, sqlite_shape


def shape_of(url: str) -> dict:
    if url.startswith("sqlite://"):
        return sqlite_shape(url[len("sqlite://"):])
    return asyncio.run(postgres_shape(url))


def test_migrated_database_has_the_models_schema(new_database, tmp_path: Path) -> None:
    migrated, reference = new_database(), new_database()
    env = fenpay_env(migrated, tmp_path)
    applied = fenpay("migrate", env=env)
    versions = [p.name for p in dbschema.version_files()]
    assert applied.strip() == f"applied: {', '.join(versions)}", applied
    assert fenpay("migrate", env=env).strip() == "database is up to date"

    run([sys.executable, "-m", "tests.migrations.build_from_models", reference], env=fenpay_env(reference, tmp_path))
    expected = shape_of(reference)
    expected.pop("aerich", None)
    actual = shape_of(migrated)
    assert set(actual.pop("aerich")["columns"]) == {"id", "version", "app", "content"}
    assert "journals" in expected and "postings" in expected
    assert differences(expected, actual) == []


def test_released_initial_migration_is_frozen() -> None:
    assert dbschema.initial_is_frozen(), "migrations/models/0_initial.py changed: add a new migration instead"
    assert [p.name for p in dbschema.version_files()][0] == "0_initial.py"


def test_check_passes_and_names_the_fix_when_models_move_ahead(tmp_path: Path) -> None:
    """``python -m app.dbschema --check`` is clean now, and fails with aerich's statements when a
    model changes without a migration (a changed copy of the tree, never the real files)."""
    run([sys.executable, "-m", "app.dbschema", "--check"], env={"PATH": "/usr/bin:/bin"})
    copy = tmp_path / "tree"
    for part in ("app", "models", "migrations"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    ledger = copy / "models" / "ledger.py"
    ledger.write_text(ledger.read_text().replace(
        '    memo = fields.CharField(max_length=100, null=True)\n',
        '    memo = fields.CharField(max_length=100, null=True)\n    note = fields.CharField(max_length=20, null=True)\n', 1))
    done = subprocess.run([sys.executable, "-m", "app.dbschema", "--check"], cwd=copy,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'ALTER TABLE "journals" ADD "note" VARCHAR(20)' in done.stderr, done.stderr
    assert "python -m app.dbschema new NAME" in done.stderr


FAILING = '''from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    if db.capabilities.dialect == "postgres":
        return POSTGRES_SQL
    return "BEGIN;" + SQLITE_SQL


async def downgrade(db: BaseDBAsyncClient) -> str:
    raise RuntimeError("forward-only")


SQLITE_SQL = POSTGRES_SQL = """
CREATE INDEX "idx_half_done" ON "journals" ("memo");
CREATE TABLE "broken" (;
"""
'''


def test_a_failing_migration_leaves_nothing_behind(new_database, tmp_path: Path) -> None:
    """A migration whose second statement fails: ``fenpay migrate`` exits with one line, the
    first statement is rolled back with it and it is not recorded (the next run retries it)."""
    copy = tmp_path / "tree"
    for part in ("app", "models", "migrations"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    number = len(dbschema.version_files())
    (copy / "migrations" / "models" / f"{number}_broken.py").write_text(FAILING)
    url = new_database()
    env = fenpay_env(url, tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "app.cli", "migrate"], env=env, cwd=copy,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert "migration failed" in done.stderr, done.stderr
    shape = shape_of(url)
    assert all(index[0] != "idx_half_done" for index in shape["journals"]["indexes"])
    assert "broken" not in shape
    applied = fenpay("migrate", env=env).strip()  # this checkout: the file is not there
    assert applied == "database is up to date", applied
