"""The dynamic token (TOTP, RFC 6238): one credential per user and its recovery codes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class TotpCredential(Model):
    """A user's TOTP secret (AES-GCM ciphertext), off until ``confirmed_at`` is set.

    ``last_used_step`` is the newest 30-second step whose code was accepted: a code is
    accepted only for a later step, so each code works once. ``failures`` counts wrong
    codes (one atomic UPDATE per attempt); the fifth sets ``locked_until``.
    """

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(unique=True)
    secret_enc = fields.TextField()
    confirmed_at = fields.DatetimeField(null=True)
    last_used_step = fields.BigIntField(default=0)
    failures = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "totp_credentials"


class TotpRecoveryCode(Model):
    """One single-use recovery code, kept only as a keyed hash (HMAC-SHA256 with the pepper)."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(db_index=True)
    code_hash = fields.CharField(max_length=64, unique=True)
    used_at = fields.DatetimeField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "totp_recovery_codes"
