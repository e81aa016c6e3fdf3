"""Requests to pay and split bills (AA 收款): ask, pay (a transfer linked to the item), decline, expire."""
