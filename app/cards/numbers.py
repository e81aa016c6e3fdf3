"""Bank card numbers: normalisation, the Luhn check digit and masking."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s-]")
MIN_LENGTH = 12
MAX_LENGTH = 19


def normalise(raw: str) -> str:
    """Drop spaces and dashes people type between digit groups."""
    return _SEPARATORS.sub("", raw or "")


def luhn_valid(number: str) -> bool:
    """True for a 12-19 digit number whose last digit is its Luhn check digit."""
    if not number.isascii() or not number.isdigit() or not MIN_LENGTH <= len(number) <= MAX_LENGTH:
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def masked(number: str) -> str:
    """At most the first 6 and the last 4 digits: 622202******1234."""
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"
