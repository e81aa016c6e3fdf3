"""Money in and out of wallets: top-ups, withdrawals, their settlement and expiry."""
