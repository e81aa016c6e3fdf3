"""Compliance: the user agreement and privacy policy users accept."""
