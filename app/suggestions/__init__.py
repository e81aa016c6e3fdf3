"""Wealth suggestions that fit (seed 1.2.5): deterministic rules over the last 90 days."""
