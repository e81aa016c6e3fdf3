"""`fenpay doctor`: passes on a healthy set-up, names each problem with its fix and exits non-zero."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.operations.receivers import HttpReceiver, SmtpServer
from tests.operations.test_message_delivery import production_env


def doctor(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", "doctor"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def test_doctor_passes_on_the_test_setup(test_env):
    result = doctor(test_env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for check in ("configuration", "database", "migrations", "broker", "messages", "calendar"):
        assert any(line.startswith(f"ok   {check}:") for line in lines), (check, lines)
    assert lines[-1] == "all checks passed"


def test_doctor_names_an_unreachable_database_and_pending_migrations(test_env, tmp_path):
    down = doctor({**test_env, "FENPAY_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
    assert down.returncode == 1
    assert "FAIL database: PostgreSQL unreachable" in down.stdout
    assert "fix: check FENPAY_DATABASE_URL" in down.stdout

    fresh = doctor({**test_env, "FENPAY_DATABASE_URL": f"sqlite://{tmp_path}/empty.sqlite3"})
    assert fresh.returncode == 1
    assert "FAIL migrations: no migration has been applied" in fresh.stdout
    assert "fix: run `fenpay migrate`" in fresh.stdout


def test_doctor_checks_the_message_channels_in_production(test_env):
    with HttpReceiver() as receiver, SmtpServer() as smtp:
        env = {**test_env, **production_env(receiver, smtp)}
        reachable = doctor(env)
    assert reachable.returncode == 0, reachable.stdout
    assert f"ok   messages: gateway {receiver.url} answers" in reachable.stdout
    assert f"ok   messages: SMTP 127.0.0.1:{smtp.port} answers" in reachable.stdout
    gone = doctor(env)  # both receivers are closed now
    assert gone.returncode == 1
    assert "FAIL messages: gateway" in gone.stdout and "FAIL messages: SMTP" in gone.stdout
