"""What a closed account leaves behind until the retention period ends."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class ClosedAccount(Model):
    """One closed account. The identity the law requires to be kept (the phone, AES-GCM
    ciphertext; the real name and ID number stay encrypted on the user row) is erased by
    the retention job once ``erase_after`` has passed (``erased_at`` set)."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(unique=True)
    phone_enc = fields.TextField(null=True)
    closed_at = fields.DatetimeField()
    erase_after = fields.DatetimeField(db_index=True)
    erased_at = fields.DatetimeField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "closed_accounts"
