"""Append-only audit trail (who, what, when, from where).

Rows are only ever inserted: the model refuses to save an existing row or delete one,
its querysets refuse bulk updates and deletes, and the database itself rejects
UPDATE and DELETE with triggers on both backends (migrations 0_initial and 1_ledger_guards).
"""

from __future__ import annotations

from typing import Any, NoReturn

from tortoise import fields
from tortoise.manager import Manager
from tortoise.models import Model
from tortoise.queryset import QuerySet

from .base import created_at_field


class AppendOnlyViolation(RuntimeError):
    """Something tried to change or remove an audit record."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyViolation(f"audit records are append-only: {what} refused")


class AppendOnlyQuerySet(QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse("update")

    def delete(self) -> NoReturn:  # type: ignore[override]
        _refuse("delete")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse("bulk update")

    def select_for_update(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse("select for update")


class AppendOnlyManager(Manager):
    def get_queryset(self) -> QuerySet:
        return AppendOnlyQuerySet(self._model)


class AuditRecord(Model):
    id = fields.BigIntField(primary_key=True)
    actor_id = fields.BigIntField(null=True, db_index=True)
    subject_user_id = fields.BigIntField(null=True, db_index=True)
    action = fields.CharField(max_length=60)
    ip = fields.CharField(max_length=64, null=True)
    details: fields.JSONField[Any] = fields.JSONField(null=True)
    created_at = created_at_field()

    class Meta:
        table = "audit_records"
        manager = AppendOnlyManager()

    async def save(self, *args: Any, force_create: bool = False, **kwargs: Any) -> None:  # type: ignore[override]
        if self._saved_in_db and not force_create:
            _refuse("save of an existing record")
        kwargs["force_create"] = force_create
        await super().save(*args, **kwargs)

    async def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse("delete")

    @classmethod
    def bulk_update(cls, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse("bulk update")

    @classmethod
    async def update_or_create(cls, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse("update or create")
