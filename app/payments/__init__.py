"""Payments: merchants, paying (balance, bank card, third party, QR code), transfers."""
