"""Cross-border payments API (issue 22): quotes, merchant currencies, FX details, the annual limit."""
