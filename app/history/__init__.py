"""Transaction history: an account's three-month statement with filters and exact lookup."""
