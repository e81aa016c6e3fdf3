"""People: wallet users, merchants' owners and staff."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class User(Model):
    id = fields.BigIntField(primary_key=True)
    phone = fields.CharField(max_length=20, unique=True)
    email = fields.CharField(max_length=254, null=True, unique=True)
    password_hash = fields.CharField(max_length=255)
    # Space-separated Role names, e.g. "USER MERCHANT".
    roles = fields.CharField(max_length=100, default="USER")
    status = fields.CharField(max_length=16, default="NORMAL")
    status_reason = fields.CharField(max_length=255, null=True)
    # Payment password: keyed hash (pepper outside the database) and its lockout.
    payment_password_hash = fields.CharField(max_length=128, null=True)
    payment_password_failures = fields.IntField(default=0)
    payment_locked_until = fields.DatetimeField(null=True)
    # Login lockout.
    login_failures = fields.IntField(default=0)
    login_window_started_at = fields.DatetimeField(null=True)
    login_locked_until = fields.DatetimeField(null=True)
    # Real-name identity: AES-GCM ciphertexts plus a keyed blind index of the ID number.
    real_name_status = fields.CharField(max_length=16, default="UNVERIFIED")
    real_name_enc = fields.TextField(null=True)
    id_number_enc = fields.TextField(null=True)
    id_number_index = fields.CharField(max_length=64, null=True, unique=True)
    birth_date = fields.DateField(null=True)
    risk_tolerance = fields.CharField(max_length=2, null=True)
    terms_version = fields.CharField(max_length=20, null=True)
    created_at = created_at_field()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "users"

    @property
    def role_set(self) -> set[str]:
        return set(self.roles.split())
