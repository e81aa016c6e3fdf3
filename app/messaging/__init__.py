"""Delivery of SMS and email through real channels, from a transactional outbox (section 23 ops)."""
