"""The PAYMENT completion handlers, registered with the money core's completion registry
(which imports every ``app/<package>/completions.py`` before its first dispatch)."""

from __future__ import annotations

from ..channels import completions
from .settlement import PAYMENT, on_payment_failed, on_payment_succeeded


def register_handlers() -> None:
    completions.register(PAYMENT, on_payment_succeeded, on_payment_failed)


register_handlers()
