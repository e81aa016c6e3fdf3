"""Re-encrypting every encrypted field under a new key, in batches, while reads go on.

Every ``*_enc`` column of every model holds ``v1:<key id>:<ciphertext>`` (app/crypto.py).
A pass walks each table by id in batches; each batch is one short transaction and each
value is replaced with a compare-and-set (``WHERE id = ? AND col = <old ciphertext>``),
so a row the application rewrites meanwhile is left alone (it is already under a key
the application knows). Values already under the target key are skipped, so the
command can be run again at any time and resumes where it stopped.

Procedure without downtime for reads (K1 = current key, K2 = new key, url-safe base64):

1. Configure every API and worker process with ``FENPAY_ENCRYPTION_KEY=K2`` and
   ``FENPAY_OLD_ENCRYPTION_KEYS=K1`` and restart them one by one: new writes use K2,
   reads accept both.
2. Run ``fenpay rotate-key`` with the same environment: it rewrites everything still
   under K1 to K2 (``--new-key`` or ``FENPAY_NEW_ENCRYPTION_KEY`` name the target
   explicitly; by default it is the current key).
3. When it reports ``0 left under other keys``, remove K1 from FENPAY_OLD_ENCRYPTION_KEYS
   and restart the processes again. Keep K1 with the backups made before step 2.

(Alternatively, run step 2 with ``--new-key K2`` before step 1, provided every process
already lists K2 in FENPAY_OLD_ENCRYPTION_KEYS so it can read what the rotation writes;
then run it once more after step 1 to catch values written under K1 in the meantime.)
The blind indexes are keyed with the payment pepper, which this does not change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from tortoise import Tortoise, fields
from tortoise.models import Model

from .. import audit, crypto, db

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[Model]
    column: str

    @property
    def name(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"


@dataclass
class RotationReport:
    rewritten: dict[str, int] = field(default_factory=dict)
    already_current: dict[str, int] = field(default_factory=dict)
    changed_meanwhile: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)

    def add(self, bucket: dict[str, int], column: str, n: int = 1) -> None:
        bucket[column] = bucket.get(column, 0) + n

    @property
    def ok(self) -> bool:
        return not any(self.unreadable.values())

    def lines(self) -> list[str]:
        columns = sorted({*self.rewritten, *self.already_current, *self.changed_meanwhile, *self.unreadable})
        out = [
            f"{c}: rewritten {self.rewritten.get(c, 0)}, already current {self.already_current.get(c, 0)},"
            f" changed meanwhile {self.changed_meanwhile.get(c, 0)}, unreadable {self.unreadable.get(c, 0)}"
            for c in columns
        ]
        return out


def encrypted_columns() -> list[EncryptedColumn]:
    """Every ``*_enc`` text column of every model (new ones are found without registration)."""
    found = []
    for model in sorted(set(Tortoise.apps["models"].values()), key=lambda m: m._meta.db_table):
        for name, model_field in model._meta.fields_map.items():
            if name.endswith("_enc") and isinstance(model_field, (fields.TextField, fields.CharField)):
                found.append(EncryptedColumn(model, model_field.source_field or name))
    return found


def _key_id_of(token: str) -> str | None:
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 else None


async def rotate_batches(
    new_key: bytes, *, batch_size: int = DEFAULT_BATCH, report: RotationReport | None = None
) -> AsyncIterator[RotationReport]:
    """Rewrite every value not under ``new_key``; yields the running report after each batch."""
    report = report or RotationReport()
    target = crypto.key_id(new_key)
    for column in encrypted_columns():
        model, col = column.model, column.column
        last_id = 0
        while True:
            rows = (
                await model.filter(id__gt=last_id, **{f"{col}__not_isnull": True})
                .order_by("id")
                .limit(batch_size)
                .values("id", col)
            )
            if not rows:
                break
            last_id = rows[-1]["id"]
            async with db.atomic() as conn:
                for row in rows:
                    token = row[col]
                    if not token:
                        continue
                    if _key_id_of(token) == target:
                        report.add(report.already_current, column.name)
                        continue
                    try:
                        plaintext = crypto.decrypt(token)
                    except Exception:  # unknown key or damaged value: report, never guess
                        report.add(report.unreadable, column.name)
                        continue
                    replaced = await model.filter(id=row["id"], **{col: token}).using_db(conn).update(
                        **{col: crypto.encrypt(plaintext, key=new_key)}
                    )
                    report.add(report.rewritten if replaced else report.changed_meanwhile, column.name)
            yield report


async def remaining(new_key: bytes) -> int:
    """How many encrypted values are not under ``new_key`` yet."""
    prefix = f"v1:{crypto.key_id(new_key)}:"
    count = 0
    for column in encrypted_columns():
        count += (
            await column.model.filter(**{f"{column.column}__not_isnull": True})
            .exclude(**{f"{column.column}__startswith": prefix})
            .count()
        )
    return count


async def rotate(
    new_key: bytes, *, batch_size: int = DEFAULT_BATCH, on_batch: Callable[[RotationReport], None] | None = None
) -> RotationReport:
    """Rotate every encrypted value to ``new_key``; ``on_batch`` sees the running report (progress)."""
    report = RotationReport()
    async for running in rotate_batches(new_key, batch_size=batch_size, report=report):
        report = running
        if on_batch is not None:
            on_batch(running)
    await audit.record(
        "ENCRYPTION_KEY_ROTATED",
        actor_id=None,
        details={
            "keyId": crypto.key_id(new_key),
            "rewritten": sum(report.rewritten.values()),
            "unreadable": sum(report.unreadable.values()),
        },
    )
    return report
