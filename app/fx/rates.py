"""Exchange rates: the ``FxRateSource`` interface and the sources fenpay ships.

A rate is the CNY price of ONE unit of a foreign currency (``Decimal``, 6 decimals):
``USD -> 7.100000`` means USD 1.00 costs CNY 7.10. No floats.

- ``SandboxRates``: deterministic fixed rates (sandbox mode only), so tests and demos can
  compute every conversion by hand.
- ``NoRates``: no feed configured (the production default): every quote is refused with
  FX_UNAVAILABLE rather than inventing a rate.

``Settings.fx_rate_source`` picks one (``sandbox`` | ``none``); ``rate_source()`` answers it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from .. import runtime
from ..errors import DomainError, ErrorCode
from .currencies import CNY, MINOR_UNITS

RATE_PLACES = Decimal("0.000001")


class FxRateSource(Protocol):
    """Where rates come from."""

    name: str

    async def cny_per_unit(self, currency: str) -> Decimal:
        """CNY per 1 unit of ``currency`` (6 decimals); FX_UNAVAILABLE when there is none."""
        ...


class SandboxRates:
    """Fixed, published-looking rates for the sandbox (CNY per unit)."""

    name = "sandbox"
    RATES: dict[str, Decimal] = {
        "CNY": Decimal("1.000000"),
        "USD": Decimal("7.100000"),
        "HKD": Decimal("0.910000"),
        "EUR": Decimal("7.700000"),
        "JPY": Decimal("0.047500"),
    }

    async def cny_per_unit(self, currency: str) -> Decimal:
        return self.RATES[currency]


class NoRates:
    """No rate feed configured: cross-border quotes are refused."""

    name = "none"

    async def cny_per_unit(self, currency: str) -> Decimal:
        if currency == CNY:
            return Decimal("1.000000")
        raise DomainError(ErrorCode.FX_UNAVAILABLE, "暂不支持跨境支付：未配置汇率来源", None)


def rate_source() -> FxRateSource:
    """The configured source (``Settings.fx_rate_source``)."""
    return SandboxRates() if runtime.settings().fx_rate_source == "sandbox" else NoRates()


def _scale(currency: str) -> Decimal:
    """Fen per minor unit of ``currency`` at rate 1 (100 for JPY, 1 for two-decimal currencies)."""
    return Decimal(10) ** (MINOR_UNITS[CNY] - MINOR_UNITS[currency])


def to_cny(minor: int, currency: str, rate: Decimal) -> int:
    """Minor units of ``currency`` -> fen at ``rate``, half-up to the fen."""
    return int((Decimal(minor) * rate * _scale(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_cny(fen: int, currency: str, rate: Decimal) -> int:
    """Fen -> minor units of ``currency`` at ``rate``, half-up to the minor unit (JPY: the yen)."""
    return int((Decimal(fen) / (rate * _scale(currency))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_rate(rate: Decimal) -> str:
    return str(rate.quantize(RATE_PLACES))
