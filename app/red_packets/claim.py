"""Claiming a red packet: one share to the claimer, at most ``count`` claims, one per user.

In one transaction (the money kernel's): a conditional UPDATE on the packet row takes the
next share (``claimed_count < count`` and still OPEN and not expired; on PostgreSQL the row
lock serializes the packet's claimers, on SQLite transactions are serialized), the claim row
is inserted (unique per packet and user), and the journal moves the share from the
RED_PACKET_CLEARING account to the claimer's wallet. Anything refused rolls it all back.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models import User
from models.red_packets import RedPacket, RedPacketClaim

from .. import clock
from ..db import Conn
from ..errors import DomainError, ErrorCode
from ..events.outbox import UnitOfWork
from ..ledger import kernel, sql
from ..ledger.accounts import system_account, wallet_of
from ..ledger.journal import Leg
from ..ledger.kernel import Movement, Notice
from ..ledger.vocabulary import TransactionType
from ..payments.parties import person_party
from .live import emit_claimed
from .send import CLEARING

FIELD = ("input", "packetNo")


def _empty() -> DomainError:
    return DomainError(ErrorCode.RED_PACKET_EMPTY, "手慢了，红包派完了", FIELD)


def _expired() -> DomainError:
    return DomainError(ErrorCode.RED_PACKET_EXPIRED, "该红包已超过 24 小时，已过期", FIELD)


def _already() -> DomainError:
    return DomainError(ErrorCode.RED_PACKET_ALREADY_CLAIMED, "你已经领过这个红包了", FIELD)


async def claimable_packet(claimer: User, packet_no: str) -> RedPacket:
    """The packet if ``claimer`` may try to claim it; else NOT_FOUND (unknown, or addressed to
    someone else), RED_PACKET_ALREADY_CLAIMED, RED_PACKET_EXPIRED or RED_PACKET_EMPTY."""
    packet = await RedPacket.get_or_none(packet_no=(packet_no or "").strip())
    if packet is None or (packet.recipient_id is not None and packet.recipient_id != claimer.id):
        raise DomainError(ErrorCode.NOT_FOUND, "红包不存在", FIELD)
    if await RedPacketClaim.filter(packet_id=packet.id, user_id=claimer.id).exists():
        raise _already()
    _refuse_closed(packet)
    return packet


def _refuse_closed(packet: RedPacket) -> None:
    if packet.status == "EXPIRED" or packet.expires_at <= clock.now():
        raise _expired()
    if packet.status == "EMPTY" or packet.claimed_count >= packet.count:
        raise _empty()


async def _take_share(conn: Conn, packet: RedPacket) -> tuple[int, int]:
    """(seq, amount) of the next share; the packet row is locked from here on."""
    rows = await sql.fetch(
        conn,
        "UPDATE red_packets SET claimed_count = claimed_count + 1"
        " WHERE id = ? AND status = 'OPEN' AND claimed_count < count AND expires_at > ?"
        " RETURNING claimed_count",
        packet.id, clock.now(),
    )
    if not rows:
        _refuse_closed(await RedPacket.get(id=packet.id, using_db=conn))
        raise _empty()
    seq = int(rows[0]["claimed_count"])
    amount = int(packet.shares[seq - 1])
    await sql.execute(
        conn,
        "UPDATE red_packets SET claimed_amount = claimed_amount + ?,"
        " status = CASE WHEN claimed_count >= count THEN 'EMPTY' ELSE status END WHERE id = ?",
        amount, packet.id,
    )
    return seq, amount


async def claim_red_packet(claimer: User, packet_no: str) -> RedPacketClaim:
    """Claim one share; returns the claim. Errors: see ``claimable_packet``."""
    packet = await claimable_packet(claimer, packet_no)
    sender = await User.get(id=packet.sender_id)
    clearing = await system_account(CLEARING)
    claimer_wallet = await wallet_of(claimer.id)
    claims: list[RedPacketClaim] = []

    async def describe(uow: UnitOfWork) -> Movement:
        seq, amount = await _take_share(uow.conn, packet)
        try:
            claim = await RedPacketClaim.create(
                packet_id=packet.id, user_id=claimer.id, seq=seq, amount=amount, using_db=uow.conn
            )
        except IntegrityError:
            raise _already() from None
        claims.append(claim)

        async def link(after_uow: UnitOfWork, tx, _balances) -> None:  # noqa: ANN001
            claim.transaction_id = tx.id
            await RedPacketClaim.filter(id=claim.id).using_db(after_uow.conn).update(transaction_id=tx.id)
            await emit_claimed(after_uow, claim)

        party = person_party(sender)
        return Movement(
            type=TransactionType.RED_PACKET_CLAIM, account=claimer_wallet, amount=amount,
            legs=(Leg(clearing, -amount), Leg(claimer_wallet, amount)),
            memo=f"red packet {packet.packet_no} share {seq}",
            counterparty_name=f"{party.name}的红包", counterparty_ref=party.ref,
            description=packet.greeting, reference_id=packet.id,
            notices=(Notice(claimer_wallet, amount),),
            after=link,
        )

    await kernel.move_described(None, describe)
    return claims[0]
