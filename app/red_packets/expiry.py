"""Expiry of red packets: what nobody claimed returns to the sender (clearing -> wallet).

Run by the job ``red-packet-expiry``. Each packet is closed by one conditional UPDATE
(OPEN and due -> EXPIRED) in the transaction that moves exactly ``amount - claimed_amount``
from RED_PACKET_CLEARING back to the sender's available balance, so a packet is refunded once however
often the job runs, and a claim racing the expiry either commits before it (and is not
refunded) or is refused (RED_PACKET_EXPIRED).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from models.red_packets import RedPacket

from ..events.outbox import unit_of_work
from ..ledger import kernel, sql
from ..ledger.accounts import system_account, wallet_of
from ..ledger.journal import Leg
from ..ledger.kernel import Movement, Notice
from ..ledger.vocabulary import TransactionType
from .live import emit_expired
from .send import CLEARING

BATCH = 500


async def expire_packet(packet_id: int, now: datetime) -> int:
    """Close one due packet; returns the fen returned to the sender (0 if not due/open)."""
    async with unit_of_work() as uow:
        rows = await sql.fetch(
            uow.conn,
            "UPDATE red_packets SET status = 'EXPIRED', refunded_amount = amount - claimed_amount"
            " WHERE id = ? AND status = 'OPEN' AND expires_at <= ?"
            " RETURNING amount - claimed_amount AS rest, sender_id, packet_no",
            packet_id, now,
        )
        if not rows:
            return 0
        rest, sender_id = int(rows[0]["rest"]), int(rows[0]["sender_id"])
        await emit_expired(uow, packet_id)
        if rest <= 0:
            return 0
        wallet = await wallet_of(sender_id, uow.conn)
        clearing = await system_account(CLEARING)
        tx, _ = await kernel.write(
            uow,
            Movement(
                type=TransactionType.RED_PACKET_REFUND, account=wallet, amount=rest,
                legs=(Leg(clearing, -rest), Leg(wallet, rest)), memo=f"red packet {rows[0]['packet_no']} expired",
                cap_balance=False, counterparty_name="红包退款", description="红包过期未领取，退回余额",
                reference_id=packet_id,
                notices=(Notice(wallet, rest),),
            ),
        )
        await RedPacket.filter(id=packet_id).using_db(uow.conn).update(refund_transaction_id=tx.id)
        return rest


async def expire_due(now: datetime) -> tuple[int, int]:
    """Expire every packet due at ``now``; returns (packets, fen returned)."""
    due = cast(
        "list[int]",
        await RedPacket.filter(status="OPEN", expires_at__lte=now).order_by("id").limit(BATCH).values_list("id", flat=True),
    )
    packets = returned = 0
    for packet_id in due:
        rest = await expire_packet(int(packet_id), now)
        packets += 1
        returned += rest
    return packets, returned
