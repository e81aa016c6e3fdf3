"""The ledger: the only code that changes balances (see ``journal.post``)."""
