"""DataLoaders for the rows GraphQL fields look up one by one: accounts (wallets and merchant
accounts), users, merchants and transactions.

A list of N rows asking each row's account, user, merchant or transaction sends one
``SELECT ... WHERE id IN (...)`` per kind instead of N single-row queries.

Scope: one ``Loaders`` per GraphQL operation, never longer. ``schema/loaders_scope.py`` (a schema
extension) calls ``begin_operation`` when an operation starts, so over HTTP every request and on
a websocket every operation (each runs in its own asyncio task) has its own; a subscription gets
fresh ones for every event it sends, and a mutation's loaders do not cache (its top-level fields
run one after another and change what an earlier one read). The loaders live in a context
variable, not on the context object: a websocket's context is shared by all its operations.
Outside an operation (a resolver called directly) ``current()`` answers uncached loaders, so
nothing is ever remembered between calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.exceptions import DoesNotExist

from app.ledger.accounts import WALLET
from models import Account, Merchant, Transaction, User

M = TypeVar("M")


def _in_key_order(keys: list[int], rows: Iterable[M], key_of: Callable[[M], Any]) -> list[M | None]:
    """The rows lined up with ``keys`` (a DataLoader's contract): None where no row matched."""
    by_key = {key_of(row): row for row in rows}
    return [by_key.get(key) for key in keys]


def _by_id(model: Any) -> Callable[[list[int]], Awaitable[list[Any]]]:
    """A batch function: the rows of ``model`` with these ids, in one ``WHERE id IN`` query."""

    async def load(ids: list[int]) -> list[Any]:
        return _in_key_order(ids, await model.filter(id__in=sorted(set(ids))), lambda row: row.id)

    return load


class Loaders:
    """This operation's loaders; each is made on first use. Keys are database ids (ints): a
    row's own id, or the user id (``wallets_by_user``, ``merchants_by_owner``) or account id
    (``merchants_by_account``) it is looked up by; a missing row loads as None. ``cache=False`` (mutations) still batches one event-loop turn."""

    def __init__(self, *, cache: bool = True) -> None:
        self.cache = cache

    @cached_property
    def accounts(self) -> DataLoader[int, Account | None]:
        """Accounts by id, as they are now (a wallet's ``available``/``held`` included)."""
        return DataLoader(_by_id(Account), cache=self.cache)

    @cached_property
    def wallets_by_user(self) -> DataLoader[int, Account | None]:
        """A user's wallet by user id (None without one); also fills ``accounts``."""

        async def load(user_ids: list[int]) -> list[Account | None]:
            wallets = await Account.filter(user_id__in=sorted(set(user_ids)), kind=WALLET)
            self.accounts.prime_many({wallet.id: wallet for wallet in wallets})
            return _in_key_order(user_ids, wallets, lambda wallet: wallet.user_id)

        return DataLoader(load, cache=self.cache)

    @cached_property
    def users(self) -> DataLoader[int, User | None]:
        return DataLoader(_by_id(User), cache=self.cache)

    @cached_property
    def merchants(self) -> DataLoader[int, Merchant | None]:
        return DataLoader(_by_id(Merchant), cache=self.cache)

    @cached_property
    def merchants_by_account(self) -> DataLoader[int, Merchant | None]:
        """The merchant whose merchant account this is, by account id (None for others)."""

        async def load(account_ids: list[int]) -> list[Merchant | None]:
            merchants = await Merchant.filter(account_id__in=sorted(set(account_ids)))
            self.merchants.prime_many({merchant.id: merchant for merchant in merchants})
            return _in_key_order(account_ids, merchants, lambda merchant: merchant.account_id)

        return DataLoader(load, cache=self.cache)

    @cached_property
    def merchants_by_owner(self) -> DataLoader[int, Merchant | None]:
        """A user's first merchant (lowest id) by owner user id (None for a user without one)."""

        async def load(owner_ids: list[int]) -> list[Merchant | None]:
            merchants = await Merchant.filter(owner_id__in=sorted(set(owner_ids))).order_by("-id")
            self.merchants.prime_many({merchant.id: merchant for merchant in merchants})
            # Newest first: an owner's lowest id is read last and wins.
            return _in_key_order(owner_ids, merchants, lambda merchant: merchant.owner_id)

        return DataLoader(load, cache=self.cache)

    @cached_property
    def transactions(self) -> DataLoader[int, Transaction | None]:
        return DataLoader(_by_id(Transaction), cache=self.cache)


async def must(loader: DataLoader[int, M | None], key: int) -> M:
    """The row a foreign key points at (as ``Model.get``): DoesNotExist when it is missing."""
    found = await loader.load(key)
    if found is None:
        raise DoesNotExist(f"no row with id {key}")
    return found


_current: ContextVar[Loaders | None] = ContextVar("fenpay_loaders", default=None)


def begin_operation(*, cache: bool = True) -> Loaders:
    """Fresh loaders for the operation (or subscription event) now starting in this task."""
    loaders = Loaders(cache=cache)
    _current.set(loaders)
    return loaders


def end_operation() -> None:
    """Drop the operation's loaders (and what they cached)."""
    _current.set(None)


def current() -> Loaders:
    """The running operation's loaders; outside one, new uncached loaders (batching only)."""
    return _current.get() or Loaders(cache=False)
