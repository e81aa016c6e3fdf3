"""Refund statuses and reasons (seed 5.2.1), and what counts against the refundable amount."""

from __future__ import annotations

PENDING_REVIEW = "PENDING_REVIEW"
APPROVED = "APPROVED"  # money on its way back through a bank or the provider
REJECTED = "REJECTED"
COMPLETED = "COMPLETED"

REASONS = ("WRONG_AMOUNT", "WRONG_COUNTERPARTY", "PROCESSING_ERROR")
REASON_TEXT = {
    "WRONG_AMOUNT": "交易金额错误",
    "WRONG_COUNTERPARTY": "交易对方账户错误",
    "PROCESSING_ERROR": "交易过程异常，资金未正确到账",
}

# Transaction.refunded_amount is the sum of the refunds in these states.
RESERVING = (PENDING_REVIEW, APPROVED, COMPLETED)

REVIEW_BUSINESS_DAYS = 3
MAX_TEXT = 500
