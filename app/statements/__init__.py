"""A user's statements (账单) read straight off the ledger: monthly summaries and CSV exports."""
