"""The annual per-person cross-border limit (checked by ``risk.check.limit_refusal`` under the
payer's wallet lock, with ``booking.used_this_year``)."""

from __future__ import annotations

from .. import runtime
from .rates import rate_source, to_cny


async def annual_limit_fen() -> int:
    """The limit in fen: ``Settings.fx_annual_limit_usd_cents`` at the source's USD rate
    (FX_UNAVAILABLE without a source)."""
    rate = await rate_source().cny_per_unit("USD")
    return to_cny(runtime.settings().fx_annual_limit_usd_cents, "USD", rate)
