"""Creating users: every user gets a wallet account in the same transaction."""

from __future__ import annotations

from typing import Any

from tortoise import connections

from models import User

from .. import db
from ..db import Conn
from ..ledger import sql
from ..ledger.accounts import WALLET, open_account
from .passwords import hash_password


async def create_user(
    phone: str,
    password: str,
    *,
    email: str | None = None,
    roles: str = "USER",
    terms_version: str | None = None,
    conn: Conn | None = None,
) -> User:
    async def _create(c: Any) -> User:
        user = await User.create(
            phone=phone,
            email=email,
            password_hash=hash_password(password),
            roles=roles,
            terms_version=terms_version,
            using_db=c,
        )
        await open_account(WALLET, "钱包", user_id=user.id, conn=c)
        return user

    if conn is not None:
        return await _create(conn)
    async with db.atomic() as c:
        return await _create(c)


def add_role(user: User, role: str) -> None:
    roles = user.role_set | {role}
    user.roles = " ".join(sorted(roles))


async def user_by_id(user_id: int) -> User | None:
    """The user row (one indexed SELECT, no ORM query built: the viewer of every request)."""
    return await sql.fetch_model(connections.get("default"), User, '"id" = ?', user_id)
