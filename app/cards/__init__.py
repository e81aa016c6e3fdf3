"""Bound bank cards: binding (real-name match, Luhn, SMS code, BIN lookup), removal, lookup."""
