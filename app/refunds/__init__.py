"""Refund requests, staff review and money back the original way."""
