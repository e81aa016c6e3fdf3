"""How a red packet's total is cut into shares (integer fen).

``even_shares(total, n)``: ``total // n`` each; the remainder fen go one each to the first
``total % n`` shares (deterministic), so the shares sum exactly to ``total``.

``random_shares(total, n, cap)``: the "double mean" (二倍均值) method with a CSPRNG
(``secrets``). With ``remaining`` fen left for ``left`` shares, the next share is drawn
uniformly from ``[lo, hi]`` where

- ``lo = max(1, remaining - (left - 1) * cap)``  (what the others can still absorb under the cap),
- ``hi = min(cap, remaining - (left - 1), 2 * remaining // left)``  (the others keep >= 1 fen
  each; at most twice the current mean, so every claimer's expected share is the mean);

the last share is what remains. ``lo <= remaining / left <= hi`` always holds when
``n <= total <= n * cap``, so every share is in ``[1, cap]`` and the shares sum to ``total``.
"""

from __future__ import annotations

import secrets


def check_cut(total: int, n: int, cap: int) -> None:
    """Raise ValueError unless ``n`` shares of ``total`` fen can each be in ``[1, cap]``."""
    if n < 1 or total < n or total > n * cap:
        raise ValueError(f"cannot cut {total} fen into {n} shares of 1..{cap} fen")


def even_shares(total: int, n: int) -> list[int]:
    """``n`` shares of ``total`` fen differing by at most one fen, larger ones first."""
    if n < 1 or total < 0:
        raise ValueError("n >= 1 and total >= 0")
    base, extra = divmod(total, n)
    return [base + 1 if i < extra else base for i in range(n)]


def random_shares(total: int, n: int, cap: int) -> list[int]:
    """``n`` random shares of ``total`` fen, each in ``[1, cap]``, summing to ``total``."""
    check_cut(total, n, cap)
    shares: list[int] = []
    remaining = total
    for left in range(n, 1, -1):
        lo = max(1, remaining - (left - 1) * cap)
        hi = min(cap, remaining - (left - 1), 2 * remaining // left)
        share = lo + secrets.randbelow(hi - lo + 1)
        shares.append(share)
        remaining -= share
    shares.append(remaining)
    return shares
