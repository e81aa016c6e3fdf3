"""Money between people: red packets (红包) and requests to pay (AA 收款)."""
