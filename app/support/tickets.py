"""Feedback and complaint tickets (seed 8.3): submission, replies, status, who sees what.

Who may do what:
- a signed-in user submits tickets and sees, replies to and closes only their own;
- staff (SUPPORT, RISK_OFFICER, ADMIN) see and reply to every ticket and set any status;
- anyone else is told the ticket does not exist (NOT_FOUND), never that it is someone else's.

Status rules:
- a new ticket is OPEN;
- staff may move a ticket to any status, including reopening a CLOSED one;
- the owner may only close their own ticket (from OPEN, IN_PROGRESS or RESOLVED);
  any other status is staff-only (FORBIDDEN);
- asking for the status a ticket already has changes nothing;
- a CLOSED ticket takes no replies (INVALID_STATE);
- a staff reply to an OPEN ticket moves it to IN_PROGRESS; an owner's reply to a
  RESOLVED ticket reopens it (OPEN), since the problem evidently is not solved.
"""

from __future__ import annotations

from typing import Any, cast

from models import Account, Merchant, Transaction, User
from models.support import Ticket, TicketMessage

from .. import audit, clock, notifier
from ..db import Conn
from ..errors import DomainError, ErrorCode, Forbidden, input_field
from ..events.outbox import unit_of_work
from ..identity.roles import STAFF_ROLES
from ..ledger.numbers import new_number
from .live import emit_new_message

KINDS = ("FEEDBACK", "COMPLAINT")
STATUSES = ("OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED")
SUBJECT_MAX = 100
BODY_MAX = 2000

_KIND_NAMES = {"FEEDBACK": "反馈", "COMPLAINT": "投诉"}


def is_staff(user: User) -> bool:
    return bool(user.role_set & STAFF_ROLES)


def may_see(viewer: User | None, ticket: Ticket) -> bool:
    return viewer is not None and (ticket.user_id == viewer.id or is_staff(viewer))


def _text(value: str, limit: int, field: str, label: str) -> str:
    text = value.strip()
    if not text:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"{label}不能为空", input_field(field))
    if len(text) > limit:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, f"{label}不能超过 {limit} 个字", input_field(field)
        )
    return text


def _not_found() -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, "工单不存在", input_field("ticketId"))


async def accounts_of(user_id: int) -> set[int]:
    """The platform accounts whose transactions are the user's: wallets and owned merchants."""
    own = set(cast("list[int]", await Account.filter(user_id=user_id).values_list("id", flat=True)))
    own |= set(cast("list[int]", await Merchant.filter(owner_id=user_id).values_list("account_id", flat=True)))
    return own


async def own_transaction(user: User, transaction_no: str) -> Transaction:
    """The user's transaction by number; NOT_FOUND for anyone else's or a number that does not exist."""
    tx = await Transaction.get_or_none(transaction_no=transaction_no.strip())
    if tx is not None:
        own = await accounts_of(user.id)
        if tx.account_id in own or tx.counterparty_account_id in own:
            return tx
    raise DomainError(ErrorCode.NOT_FOUND, "未找到该交易", input_field("transactionNo"))


async def submit_ticket(
    user: User, kind: str, subject: str, body: str, transaction_no: str | None = None
) -> Ticket:
    if kind not in KINDS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "工单类型只能是反馈或投诉", input_field("kind"))
    subject = _text(subject, SUBJECT_MAX, "subject", "主题")
    body = _text(body, BODY_MAX, "body", "内容")
    tx = await own_transaction(user, transaction_no) if transaction_no and transaction_no.strip() else None
    async with unit_of_work() as uow:
        ticket = await Ticket.create(
            ticket_no=new_number("TK"),
            user_id=user.id,
            kind=kind,
            subject=subject,
            transaction_id=tx.id if tx else None,
            using_db=uow.conn,
        )
        await TicketMessage.create(
            ticket_id=ticket.id, author_id=user.id, from_staff=False, body=body, using_db=uow.conn
        )
    return ticket


async def _locked_visible_ticket(conn: Conn, viewer: User, ticket_id: int | None) -> Ticket:
    if ticket_id is None:
        raise _not_found()
    ticket = await Ticket.select_for_update().using_db(conn).get_or_none(id=ticket_id)
    if ticket is None or not may_see(viewer, ticket):
        raise _not_found()
    return ticket


async def reply_ticket(viewer: User, ticket_id: int | None, body: str) -> Ticket:
    """Add a message; a staff reply also leaves a notifier message for the ticket's owner."""
    body = _text(body, BODY_MAX, "body", "回复内容")
    async with unit_of_work() as uow:
        ticket = await _locked_visible_ticket(uow.conn, viewer, ticket_id)
        if ticket.status == "CLOSED":
            raise DomainError(ErrorCode.INVALID_STATE, "工单已关闭，不能再回复", input_field("ticketId"))
        # A staff member writing on their own ticket writes as its owner.
        from_staff = ticket.user_id != viewer.id
        now = clock.now()
        message = await TicketMessage.create(
            ticket_id=ticket.id, author_id=viewer.id, from_staff=from_staff, body=body, using_db=uow.conn
        )
        ticket.updated_at = now
        if from_staff:
            ticket.first_staff_reply_at = ticket.first_staff_reply_at or now
            if ticket.status == "OPEN":
                ticket.status = "IN_PROGRESS"
        elif ticket.status == "RESOLVED":
            ticket.status = "OPEN"
        await ticket.save(using_db=uow.conn, update_fields=["updated_at", "first_staff_reply_at", "status"])
        await emit_new_message(uow, message)
        if from_staff:
            owner = await User.get(id=ticket.user_id, using_db=uow.conn)
            await notifier.send(
                owner.phone,
                "TICKET_REPLY",
                f"【fenpay】您的{_KIND_NAMES[ticket.kind]}工单 {ticket.ticket_no} 有新的客服回复，请登录查看。",
                conn=uow.conn,
            )
    return ticket


async def update_ticket_status(
    viewer: User, ticket_id: int | None, status: str, *, ip: str | None = None
) -> Ticket:
    if status not in STATUSES:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "未知的工单状态", input_field("status"))
    staff = is_staff(viewer)
    if not staff and status != "CLOSED":
        raise Forbidden("只有客服人员可以修改工单状态，用户只能关闭自己的工单 (forbidden)")
    async with unit_of_work() as uow:
        ticket = await _locked_visible_ticket(uow.conn, viewer, ticket_id)
        if ticket.status == status:
            return ticket
        previous = ticket.status
        ticket.status = status
        ticket.updated_at = clock.now()
        await ticket.save(using_db=uow.conn, update_fields=["status", "updated_at"])
        await audit.record(
            "ticket.status",
            actor_id=viewer.id,
            subject_user_id=ticket.user_id,
            ip=ip,
            details={"ticketNo": ticket.ticket_no, "from": previous, "to": status},
            conn=uow.conn,
        )
    return ticket


async def visible_ticket(viewer: User | None, ticket_id: int) -> Ticket | None:
    """The ticket when the viewer is its owner or staff, else None."""
    ticket = await Ticket.get_or_none(id=ticket_id)
    return ticket if ticket is not None and may_see(viewer, ticket) else None


def tickets_of(user_id: int) -> Any:
    """The user's own tickets (a queryset for pagination, newest first by id)."""
    return Ticket.filter(user_id=user_id)


def all_tickets(status: str | None = None) -> Any:
    """Every ticket, optionally of one status (staff listing)."""
    if status is not None and status not in STATUSES:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "未知的工单状态", ("status",))
    return Ticket.filter(status=status) if status else Ticket.all()


async def messages_of(ticket: Ticket) -> list[TicketMessage]:
    return list(await TicketMessage.filter(ticket_id=ticket.id).order_by("id"))


async def transaction_of(ticket: Ticket) -> tuple[Transaction, int] | None:
    """The linked transaction and the account it is seen from (the ticket owner's side)."""
    if ticket.transaction_id is None:
        return None
    tx = await Transaction.get(id=ticket.transaction_id)
    return tx, side_seen_by_owner(tx, tx.account_id in await accounts_of(ticket.user_id))


def side_seen_by_owner(tx: Transaction, owner_initiated: bool) -> int:
    """The account a ticket's transaction is shown from: the initiator's when the ticket's owner
    holds that account (their wallet or an owned merchant's), else the counterparty's."""
    return tx.account_id if owner_initiated else tx.counterparty_account_id or tx.account_id
