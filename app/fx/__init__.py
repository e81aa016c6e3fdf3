"""Cross-border payments (issue 22, capability 3): currencies, rates, locked quotes, the
per-currency journal of a payment to a foreign merchant, refunds at the original rate and
the annual per-person limit."""
