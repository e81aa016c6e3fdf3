"""Identity tables beside the user row: sessions, security questions, real-name reviews, QR login."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class RefreshToken(Model):
    """One opaque refresh token (only its hash is kept).

    Tokens of one sign-in form a family: each use marks the token used and issues
    its successor in the same family; presenting a used token revokes the family.
    """

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(db_index=True)
    family = fields.CharField(max_length=32, db_index=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    ip = fields.CharField(max_length=64, null=True)
    created_at = created_at_field()

    class Meta:
        table = "refresh_tokens"


class SecurityQuestion(Model):
    """A question and the argon2 hash of its normalised answer (3.2.4)."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(db_index=True)
    position = fields.SmallIntField()
    question = fields.CharField(max_length=100)
    answer_hash = fields.CharField(max_length=255)
    created_at = created_at_field()

    class Meta:
        table = "security_questions"
        unique_together = (("user_id", "position"),)


class RealNameReview(Model):
    """A real-name submission waiting for (or past) staff review (8.1.2)."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(db_index=True)
    real_name_enc = fields.TextField()
    id_number_enc = fields.TextField()
    id_number_index = fields.CharField(max_length=64, db_index=True)
    birth_date = fields.DateField()
    # PENDING, VERIFIED or REJECTED.
    status = fields.CharField(max_length=16, default="PENDING")
    # Encrypted image files under the data dir, relative paths; null when not uploaded.
    id_card_front_path = fields.CharField(max_length=200, null=True)
    id_card_back_path = fields.CharField(max_length=200, null=True)
    selfie_path = fields.CharField(max_length=200, null=True)
    note = fields.CharField(max_length=500, null=True)
    reviewer_id = fields.BigIntField(null=True)
    reviewed_at = fields.DatetimeField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "real_name_reviews"
        indexes = (("status", "id"),)


class QrLoginSession(Model):
    """A web page asking to be signed in by the phone app (2.2.3)."""

    id = fields.BigIntField(primary_key=True)
    # The random part of the QR payload the phone scans.
    token = fields.CharField(max_length=64, unique=True)
    # Hash of the secret only the creating browser knows.
    secret_hash = fields.CharField(max_length=64)
    # PENDING, SCANNED, CONFIRMED, REJECTED or EXPIRED.
    status = fields.CharField(max_length=10, default="PENDING")
    client_description = fields.CharField(max_length=200)
    client_ip = fields.CharField(max_length=64, null=True)
    expires_at = fields.DatetimeField()
    scanned_by_id = fields.BigIntField(null=True)
    # The sign-in (refresh-token family) that scanned: only it may confirm, and the page gets
    # no tokens once it has been revoked.
    scanned_by_session = fields.CharField(max_length=32, null=True)
    scanned_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    # When the tokens went to the subscriber: set once, so they are handed out once.
    delivered_at = fields.DatetimeField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "qr_login_sessions"
        indexes = (("status", "expires_at"),)
