"""The reference points measured in the same run: pgbench TPC-B and a PostGraphile 4
API over a PL/pgSQL `pay` function (what a generated GraphQL API gives for free)."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
POSTGRAPHILE_DIR = HERE / ".postgraphile"

PAY_FUNCTION_SQL = """
CREATE SCHEMA IF NOT EXISTS pgl;
CREATE TABLE IF NOT EXISTS pgl.account (id BIGSERIAL PRIMARY KEY, available BIGINT NOT NULL CHECK (available >= 0));
CREATE TABLE IF NOT EXISTS pgl.idem (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS pgl.journal (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS pgl.posting (
  id BIGSERIAL PRIMARY KEY, journal_id BIGINT NOT NULL REFERENCES pgl.journal(id),
  account_id BIGINT NOT NULL REFERENCES pgl.account(id), amount BIGINT NOT NULL);
CREATE OR REPLACE FUNCTION pgl.pay(payer BIGINT, merchant BIGINT, amount BIGINT, idem_key TEXT) RETURNS BIGINT
LANGUAGE plpgsql VOLATILE AS $$
DECLARE j BIGINT;
BEGIN
  INSERT INTO pgl.idem(key) VALUES (idem_key);
  UPDATE pgl.account SET available = available - amount WHERE id = payer AND available >= amount;
  IF NOT FOUND THEN RAISE EXCEPTION 'insufficient funds'; END IF;
  UPDATE pgl.account SET available = available + amount WHERE id = merchant;
  INSERT INTO pgl.journal DEFAULT VALUES RETURNING id INTO j;
  INSERT INTO pgl.posting(journal_id, account_id, amount) VALUES (j, payer, -amount), (j, merchant, amount);
  RETURN j;
END $$;
"""


def pgbench(dsn_db: str, seconds: int, clients: int = 8) -> dict:
    """TPC-B-like transactions/s on the same server (scale 10)."""
    env = {**os.environ, "PGHOST": "127.0.0.1", "PGUSER": "postgres"}
    subprocess.run(["pgbench", "-i", "-s", "10", "-q", dsn_db], env=env, check=True, capture_output=True)
    out = subprocess.run(
        ["pgbench", "-b", "tpcb-like", "-c", str(clients), "-j", "2", "-T", str(seconds), dsn_db],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    return {"tps": tps, "latency_avg_ms": float(latency.group(1)) if latency else None}


def ensure_postgraphile() -> Path | None:
    """Install PostGraphile 4 from the npm registry into bench/.postgraphile (once)."""
    binary = POSTGRAPHILE_DIR / "node_modules" / ".bin" / "postgraphile"
    if binary.exists():
        return binary
    POSTGRAPHILE_DIR.mkdir(exist_ok=True)
    result = subprocess.run(
        ["npm", "install", "--prefix", str(POSTGRAPHILE_DIR), "postgraphile@4", "--no-audit", "--no-fund", "--silent"],
        capture_output=True, text=True,
    )
    return binary if result.returncode == 0 and binary.exists() else None


async def prepare_pay_function(conn, accounts: int, merchants: int, balance: int) -> None:  # noqa: ANN001
    await conn.execute(PAY_FUNCTION_SQL)
    await conn.execute("TRUNCATE pgl.posting, pgl.journal, pgl.idem, pgl.account RESTART IDENTITY")
    await conn.execute(
        "INSERT INTO pgl.account(available) SELECT $1 FROM generate_series(1, $2)", balance, accounts + merchants
    )


class PostGraphile:
    def __init__(self, binary: Path, database_url: str, port: int) -> None:
        self.binary, self.database_url, self.port = binary, database_url, port
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> PostGraphile:
        self.process = subprocess.Popen(
            [str(self.binary), "-c", self.database_url, "--schema", "pgl", "--host", "127.0.0.1",
             "--port", str(self.port), "--disable-query-log", "--disable-graphiql"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                r = httpx.post(f"http://127.0.0.1:{self.port}/graphql", json={"query": "{ __typename }"}, timeout=2)
                if r.status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("PostGraphile did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
