"""What makes a login password (3.2.1) or a payment password (3.2.2) acceptable."""

from __future__ import annotations

import re
import string
from datetime import date

from ..errors import DomainError, ErrorCode

MIN_LENGTH = 6
MAX_LENGTH = 20
SPECIALS = frozenset(string.punctuation)
_ALLOWED = frozenset(string.ascii_letters + string.digits + string.punctuation)

# Passwords that meet the character rule yet head every leaked-password list.
COMMON_PASSWORDS = frozenset(
    {
        "p@ssw0rd", "p@ssword", "passw0rd!", "password1!", "password!", "password@123", "p@ssw0rd1",
        "admin@123", "admin123!", "admin!@#", "abc@123", "abc123!", "abc123!@#", "a123456!",
        "aa123456!", "qwe123!@#", "qwe!@#123", "1qaz@wsx", "1qaz!qaz", "!qaz2wsx", "zaq1@wsx",
        "woaini1314!", "iloveyou1!", "welcome1!", "letmein1!", "test@123", "root@123",
    }
)
# Letter cores (after undoing @->a, $->s, 0->o and dropping the rest) that make a password guessable.
COMMON_WORDS = frozenset(
    {
        "password", "passwd", "pass", "admin", "administrator", "root", "user", "test", "guest",
        "qwerty", "qwertyuiop", "qwe", "qwer", "asd", "asdf", "asdfgh", "zxc", "zxcv", "zxcvbn",
        "qaz", "qazwsx", "wsx", "abc", "abcd", "abcde", "abcdef", "iloveyou", "woaini", "letmein",
        "welcome", "hello", "monkey", "dragon", "master", "sunshine", "princess", "football",
        "baseball", "superman", "login", "a", "aa", "aaa",
    }
)
_LEET = str.maketrans({"@": "a", "$": "s", "0": "o"})
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "!@#$%^&*()")
RUN_LENGTH = 4


def _weak(message: str, field: tuple[str, ...]) -> DomainError:
    return DomainError(ErrorCode.WEAK_PASSWORD, message, field)


def _has_sequential_run(text: str, length: int) -> bool:
    """``length`` characters in a row ascending or descending by one (1234, dcba)."""
    lowered = text.lower()
    for start in range(len(lowered) - length + 1):
        window = lowered[start : start + length]
        if not (window.isdigit() or window.isalpha()):
            continue
        steps = {ord(b) - ord(a) for a, b in zip(window, window[1:], strict=False)}
        if steps in ({1}, {-1}):
            return True
    return False


def _has_repeated_run(text: str, length: int) -> bool:
    return re.search(r"(.)\1{%d,}" % (length - 1), text) is not None


def _has_keyboard_run(text: str, length: int) -> bool:
    lowered = text.lower()
    for row in KEYBOARD_ROWS:
        for line in (row, row[::-1]):
            for start in range(len(line) - length + 1):
                if line[start : start + length] in lowered:
                    return True
    return False


def check_login_password(password: str, field: tuple[str, ...]) -> None:
    """6-20 characters with letters, digits and special characters; nothing common or sequential."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise _weak(f"登录密码须为 {MIN_LENGTH}-{MAX_LENGTH} 位", field)
    if any(ch not in _ALLOWED for ch in password):
        raise _weak("登录密码只能包含英文字母、数字和特殊字符（不含空格）", field)
    if not (
        any(ch in string.ascii_letters for ch in password)
        and any(ch in string.digits for ch in password)
        and any(ch in SPECIALS for ch in password)
    ):
        raise _weak("登录密码须同时包含字母、数字和特殊字符", field)
    lowered = password.lower()
    cores = {re.sub(r"[^a-z]", "", lowered), re.sub(r"[^a-z]", "", lowered.translate(_LEET))}
    if lowered in COMMON_PASSWORDS or cores & COMMON_WORDS or len(set(lowered)) < 4:
        raise _weak("密码过于常见，请换一个更难猜的密码", field)
    if (
        _has_sequential_run(password, RUN_LENGTH)
        or _has_repeated_run(password, RUN_LENGTH)
        or _has_keyboard_run(password, RUN_LENGTH)
    ):
        raise _weak("密码不能包含连续或重复的字符（如 1234、abcd、qwer、aaaa）", field)


def birth_date_forms(birth: date) -> set[str]:
    """Six-digit strings that spell a birth date (YYMMDD, MMDDYY, DDMMYY and any six
    consecutive digits of YYYYMMDD, MMDDYYYY or DDMMYYYY)."""
    y, m, d = f"{birth.year:04d}", f"{birth.month:02d}", f"{birth.day:02d}"
    forms = {y[2:] + m + d, m + d + y[2:], d + m + y[2:]}
    for long_form in (y + m + d, m + d + y, d + m + y):
        forms.update(long_form[i : i + 6] for i in range(len(long_form) - 5))
    return forms


def _is_digit_run(pin: str) -> bool:
    """123456, 987654 and the wrapping runs 567890 / 098765."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({1}, {9})


def check_payment_password(pin: str, field: tuple[str, ...], *, birth_date: date | None) -> None:
    """Exactly 6 digits; not all the same, not a run, not the verified birth date."""
    if len(pin) != 6 or not all(ch in string.digits for ch in pin):
        raise DomainError(ErrorCode.VALIDATION_FAILED, "支付密码须为 6 位数字", field)
    if len(set(pin)) == 1:
        raise _weak("支付密码不能是 6 个相同的数字", field)
    if _is_digit_run(pin):
        raise _weak("支付密码不能是连续的数字（如 123456、654321）", field)
    if birth_date is not None and pin in birth_date_forms(birth_date):
        raise _weak("支付密码不能使用身份证上的出生日期", field)
