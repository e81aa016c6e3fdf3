"""The process-wide services: settings, database, broker, key-value store.

``start()`` opens them once per process (server, worker, CLI, test session) and
``get()`` hands them to the services.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import background, db
from .events.broker import Broker, InProcessBroker, RedisBroker
from .kvstore import KeyValueStore, MemoryStore, RedisStore
from .settings import Settings, load_settings


@dataclass
class Runtime:
    settings: Settings
    broker: Broker
    kv: KeyValueStore


_current: Runtime | None = None
SHUTDOWN_GRACE_SECONDS = 5.0


def get() -> Runtime:
    if _current is None:
        raise RuntimeError("fenpay runtime not started")
    return _current


def settings() -> Settings:
    return get().settings


async def start(settings: Settings | None = None, *, migrate: bool = False) -> Runtime:
    """Open the database (migrating first if asked), broker and store; seed system rows."""
    global _current
    from .ops import log_redaction

    log_redaction.install()  # before anything logs: no secrets in any handler
    settings = settings or load_settings()
    if migrate:
        await db.migrate(settings)
        await db.close_db()
    await db.init_db(settings)
    if settings.redis_url:
        broker: Broker = RedisBroker(settings.redis_url, prefix=settings.redis_prefix)
        kv: KeyValueStore = RedisStore(settings.redis_url, prefix=settings.redis_prefix)
    else:
        broker, kv = InProcessBroker(), MemoryStore()
    _current = Runtime(settings=settings, broker=broker, kv=kv)
    from . import bootstrap

    await bootstrap.ensure_reference_data()
    return _current


async def stop() -> None:
    global _current
    # after-commit work (a webhook's first attempt, a message's first send) ends first: it
    # still needs the database; what it leaves undone the jobs retry
    await background.settle(timeout=SHUTDOWN_GRACE_SECONDS)
    if _current is not None:
        await _current.broker.close()
        await _current.kv.close()
        _current = None
    await db.close_db()
