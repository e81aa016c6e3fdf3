"""The bank test: transfers and payments through the GraphQL API while faults are injected,
then the books must balance. Run it with ``python -m bench.banktest [--minutes M] [--quick]``.

Modules: ``servers`` (the fenpay processes), ``faults`` (the injector, loopback only),
``load`` (worker processes that record every call as ok, failed or unknown and retry the
unknown ones with the same idempotency key), ``subscribers`` (websocket ``balanceChanged``
listeners), ``checks`` (the invariants afterwards) and ``__main__`` (the run and its summary).
"""
