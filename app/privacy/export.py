"""``exportMyData`` (PIPL article 45): a machine-readable JSON archive of everything fenpay
holds about one user, behind a signed link valid for ten minutes, after the login password.

The archive is built when the link is opened (nothing is left on disk). Sections:
``profile`` (phone, email, real-name status, masked name and ID number), ``wallet``
(balances in fen), ``transactions`` (both sides, as the user sees them: direction and
counterparty), ``auditTrail`` (records about the user), and one section per table that
holds rows keyed by the user (cards, refunds, tickets and their messages, holdings, risk
assessments, sessions, ...), found from the models so a new table is included without
registration. Secrets are never exported: columns ending ``_hash``, ``_enc`` or
``_index`` and secret/token columns are left out; cards appear masked.

Only rows keyed by this user are read; nothing in the archive names another user
beyond what the user's own statement shows (masked counterparties).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tortoise import Tortoise
from tortoise.expressions import Q
from tortoise.models import Model

from models import Account, AuditRecord, Transaction, User

from .. import audit, clock, crypto, signed_links
from ..ledger.vocabulary import direction_of
from ..masking import mask_id_number, mask_name

PURPOSE = "my-data-export"
LINK_TTL = timedelta(minutes=10)
PATH = "/me/export.json"
FORMAT_VERSION = 1
# Columns that never leave the server.
_SECRET_SUFFIXES = ("_hash", "_enc", "_index")
_SECRET_NAMES = frozenset({"secret", "token", "number_enc", "password_hash"})
# Tables exported by their own section (or not personal: the user row, the ledger).
_OWN_SECTIONS = frozenset({"users", "accounts", "transactions", "audit_records", "journals", "postings"})


@dataclass(frozen=True)
class ExportLink:
    url: str
    expires_at: datetime


async def request_export(user: User, password: str, ip: str | None) -> ExportLink:
    """After the login password (wrong guesses count towards the login lock), a signed link."""
    from ..identity.account_security import confirm_password

    await confirm_password(user, password, "password")
    token, expires = signed_links.sign(PURPOSE, {"u": user.id}, LINK_TTL)
    await audit.record("privacy.export_requested", actor_id=user.id, ip=ip)
    return ExportLink(url=signed_links.url(PATH, token), expires_at=expires)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(instance: Model, columns: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in columns}


def _exportable(name: str) -> bool:
    return not name.endswith(_SECRET_SUFFIXES) and name not in _SECRET_NAMES


def _user_keyed_models() -> list[tuple[type[Model], str, list[str]]]:
    """(model, the column naming the user, exported columns) for every table keyed by a user."""
    found = []
    for model in set(Tortoise.apps["models"].values()):
        meta = model._meta
        if meta.db_table in _OWN_SECTIONS:
            continue
        columns = sorted(meta.fields_db_projection)
        key = next((c for c in ("user_id", "owner_id") if c in columns), None)
        if key is None:
            continue
        found.append((model, key, [c for c in columns if _exportable(c)]))
    return sorted(found, key=lambda item: item[0]._meta.db_table)


async def _transactions(user: User) -> list[dict[str, Any]]:
    wallets = await Account.filter(user_id=user.id).values_list("id", flat=True)
    rows = await Transaction.filter(Q(account_id__in=wallets) | Q(counterparty_account_id__in=wallets)).order_by("id")
    out = []
    for tx in rows:
        mine = tx.account_id in wallets
        out.append({
            "transactionNo": tx.transaction_no,
            "type": tx.type,
            "status": tx.status,
            "channel": tx.channel,
            "direction": direction_of(tx.type, initiator=mine),
            "amountFen": tx.amount,
            "feeFen": tx.fee if mine else 0,
            "counterparty": (tx.counterparty_name if mine else tx.initiator_name),
            "counterpartyAccount": (tx.counterparty_ref if mine else tx.initiator_ref),
            "description": tx.description,
            "createdAt": _plain(tx.created_at),
            "completedAt": _plain(tx.completed_at),
        })
    return out


async def build_archive(user_id: int) -> dict[str, Any]:
    """The archive (a JSON-ready dict) of one user."""
    user = await User.get(id=user_id)
    real_name = crypto.decrypt(user.real_name_enc) if user.real_name_enc else None
    id_number = crypto.decrypt(user.id_number_enc) if user.id_number_enc else None
    archive: dict[str, Any] = {
        "format": "fenpay-personal-data",
        "version": FORMAT_VERSION,
        "generatedAt": _plain(clock.now()),
        "profile": {
            "phone": user.phone,
            "email": user.email,
            "status": user.status,
            "roles": sorted(user.role_set),
            "realNameStatus": user.real_name_status,
            "realName": mask_name(real_name) if real_name else None,
            "idNumber": mask_id_number(id_number) if id_number else None,
            "birthDate": _plain(user.birth_date),
            "riskTolerance": user.risk_tolerance,
            "termsVersion": user.terms_version,
            "hasPaymentPassword": user.payment_password_hash is not None,
            "createdAt": _plain(user.created_at),
        },
        "wallet": [
            {"accountNo": a.account_no, "availableFen": a.available, "frozenFen": a.held, "currency": a.currency}
            for a in await Account.filter(user_id=user.id, kind="WALLET")
        ],
        "transactions": await _transactions(user),
        "auditTrail": [
            {"action": r.action, "ip": r.ip, "details": r.details, "at": _plain(r.created_at)}
            for r in await AuditRecord.filter(subject_user_id=user.id).order_by("id")
        ],
    }
    tables: dict[str, list[dict[str, Any]]] = {}
    for model, key, columns in _user_keyed_models():
        rows = await model.filter(**{key: user.id}).order_by("id")
        tables[model._meta.db_table] = [_row(row, columns) for row in rows]
    ticket_ids = [row["id"] for row in tables.get("tickets", [])]
    if ticket_ids:
        from models.support import TicketMessage

        tables["ticket_messages"] = [
            {"ticketId": m.ticket_id, "fromStaff": m.from_staff, "body": m.body, "at": _plain(m.created_at)}
            for m in await TicketMessage.filter(ticket_id__in=ticket_ids).order_by("id")
        ]
    archive["tables"] = tables
    return archive


async def archive_for_token(token: str | None, ip: str | None) -> tuple[bytes, str] | None:
    """(JSON document, file name) for a genuine unexpired link, else None."""
    data = await signed_links.verify_for_open_account(PURPOSE, token)
    if data is None:
        return None
    user_id = int(data["u"])
    archive = await build_archive(user_id)
    await audit.record("privacy.export_downloaded", actor_id=user_id, ip=ip)
    body = json.dumps(archive, ensure_ascii=False, indent=1, default=str).encode("utf-8")
    return body, f"fenpay-my-data-{clock.now():%Y%m%d}.json"
