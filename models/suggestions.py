"""Whether a user wants wealth suggestions (absent row: on)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .base import created_at_field


class SuggestionSetting(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.OneToOneRelation = fields.OneToOneField(
        "models.User", related_name="suggestion_setting", on_delete=fields.RESTRICT
    )
    user_id: int
    enabled = fields.BooleanField(default=True)
    created_at = created_at_field()

    class Meta:
        table = "suggestion_settings"
