"""Wealth management (seed chapter 7): catalogue, suitability, purchase, daily income, redemption."""
