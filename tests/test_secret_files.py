"""Generated secrets when several processes start at once (found by the start-up race test: two
`fenpay serve` on a fresh data folder, one died with FileExistsError on `secrets/jwt_secret`)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from app.settings import _load_or_generate_secret


def _generate(args: tuple[str, int]) -> str:
    folder, _ = args
    return _load_or_generate_secret(Path(folder), "jwt_secret", 32)


def test_processes_generating_one_secret_at_once_all_get_the_same_whole_secret(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for round_ in range(5):
        folder = tmp_path / f"data-{round_}"
        with context.Pool(8) as pool:
            values = pool.map(_generate, [(str(folder), i) for i in range(16)])
        assert len(set(values)) == 1, values
        assert len(values[0]) == 44  # 32 bytes in url-safe base64: never a partial read
        assert (folder / "secrets" / "jwt_secret").read_text() == values[0]
        assert [p.name for p in (folder / "secrets").iterdir()] == ["jwt_secret"]  # no temporary left
        assert (folder / "secrets" / "jwt_secret").stat().st_mode & 0o777 == 0o600
