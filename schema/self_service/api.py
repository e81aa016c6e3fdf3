"""The user's own controls, merged from one module per capability."""

from __future__ import annotations

from strawberry.tools import merge_types

from .payees import PayeeMutation, PayeeQuery
from .privacy import PrivacyMutation, PrivacyQuery
from .statements import StatementQuery
from .totp import TotpMutation

Query = merge_types("SelfServiceQuery", (StatementQuery, PrivacyQuery, PayeeQuery))
Mutation = merge_types("SelfServiceMutation", (TotpMutation, PrivacyMutation, PayeeMutation))
