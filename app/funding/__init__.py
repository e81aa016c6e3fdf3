"""Money in and out of wallets: top-ups, withdrawals, their payouts and expiry."""
