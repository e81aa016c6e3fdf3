"""The share algorithms: every share in [0.01, cap], shares sum exactly to the total."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.red_packets.shares import check_cut, even_shares, random_shares


@st.composite
def cuts(draw: st.DrawFn) -> tuple[int, int, int]:
    n = draw(st.integers(1, 100))
    cap = draw(st.integers(1, 20_000))
    total = draw(st.integers(n, n * cap))
    return total, n, cap


@given(cuts())
def test_random_shares_are_each_at_least_a_fen_at_most_the_cap_and_sum_to_the_total(cut):
    total, n, cap = cut
    shares = random_shares(total, n, cap)
    assert len(shares) == n
    assert sum(shares) == total
    assert all(1 <= s <= cap for s in shares)


def test_even_shares_put_the_remainder_fen_on_the_first_shares():
    assert even_shares(1000, 3) == [334, 333, 333]
    assert even_shares(900, 3) == [300, 300, 300]
    assert sum(even_shares(10_001, 7)) == 10_001


def test_random_shares_really_vary():
    draws = {tuple(random_shares(10_000, 10, 20_000)) for _ in range(20)}
    assert len(draws) > 1


@pytest.mark.parametrize(("total", "n", "cap"), [(9, 10, 100), (1001, 10, 100), (5, 0, 10)])
def test_impossible_cuts_are_refused(total, n, cap):
    with pytest.raises(ValueError):
        check_cut(total, n, cap)
