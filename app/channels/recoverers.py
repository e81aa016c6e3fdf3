"""The table of recoverers (app/channels/recovery.py): ``Transaction.type`` -> the function that
asks the channel about a movement of that type left PROCESSING and finishes it.

A new movement on an external rail adds its recoverer here; tests/test_registration.py fails
when a ``recover_*`` function of an ``app/<package>/recovery.py`` is missing.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..funding.recovery import recover_top_up, recover_withdrawal
from ..merchant_platform.payouts import PAYOUT
from ..merchant_platform.recovery import recover_payout
from ..payments.channel_completion import PAYMENT
from ..payments.recovery import recover_payment
from ..refunds.recovery import recover_refund
from .recovery import Recoverer

RECOVERERS: Mapping[str, Recoverer] = {
    PAYMENT: recover_payment,
    PAYOUT: recover_payout,
    "REFUND": recover_refund,
    "TOP_UP": recover_top_up,
    "WITHDRAWAL": recover_withdrawal,
}
