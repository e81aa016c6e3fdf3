"""The user's own controls, merged from one module per capability."""

from __future__ import annotations

from strawberry.tools import merge_types

from .totp import TotpMutation

Mutation = merge_types("SelfServiceMutation", (TotpMutation,))
