"""Logs never carry secrets: tokens, passwords, verification codes, card or ID numbers.

``install()`` (called by ``runtime.start`` and the ``fenpay`` command) does two things:
- puts ``RedactingFilter`` on every handler fenpay or uvicorn has installed, and
- wraps the log-record factory so every record is redacted when it is created, which
  covers handlers added later by anyone (uvicorn workers, pytest's caplog) and the SQL
  debug log of Tortoise (``tortoise.db_client``), whose parameters include message texts.
A record is rewritten once unless its message is replaced afterwards.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

MARK = "[REDACTED]"

# Names whose values are secret wherever they appear as key=value, key: value, "key": "value".
# (A bare "code" is left to the digit rule below, so "error code: NOT_FOUND" stays readable.)
_SECRET_KEYS = (
    r"password|passwd|pwd|new_?password|old_?password|confirm_?password|payment_?password|"
    r"newPassword|oldPassword|confirmPassword|paymentPassword|pin|"
    r"verification_?code|verificationCode|sms_?code|otp|"
    r"token|access_?token|refresh_?token|accessToken|refreshToken|id_?token|secret|client_?secret|"
    r"authorization|api_?key|apiKey|"
    r"id_?number|idNumber|card_?number|cardNumber|cvv|cvn|real_?name|realName"
)
_PATTERNS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # JSON web tokens (access tokens).
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), MARK),
    # Authorization header values.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {MARK}"),
    # Passwords inside connection URLs: scheme://user:password@host.
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), rf"\1{MARK}@"),
    # key=value, key: value, 'key': 'value', "key": "value" for secret keys.
    (
        re.compile(
            rf"(?i)(?<![\w])([\"']?)({_SECRET_KEYS})\1(\s*[:=]\s*)"
            r"(\"[^\"]*\"|'[^']*'|[^\s,;&)}\]]+)"
        ),
        lambda m: f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{_quoted_mark(m.group(4))}",
    ),
    # Codes and PINs in message texts: 验证码是 123456, code is 123456, 密码 135790.
    (
        re.compile(r"(?i)(验证码|校验码|动态码|密码|口令|\bcode\b|\bpin\b|\botp\b)([^\d\n]{0,12}?)(\d{4,8})(?!\d)"),
        rf"\1\2{MARK}",
    ),
    # Resident ID numbers (18 characters, last may be X) and bank-card numbers (12-19 digits,
    # optionally grouped by spaces or dashes).
    (re.compile(r"(?<![\w.])\d{17}[\dXx](?![\w.])"), MARK),
    (re.compile(r"(?<![\w.])\d{4}(?:[ -]\d{4}){2,3}(?:[ -]?\d{1,3})?(?![\w.])"), MARK),
    (re.compile(r"(?<![\w.])\d{12,19}(?![\w.])"), MARK),
    # Long opaque secrets (refresh tokens, keys): 32+ url-safe characters mixing letters and digits.
    (re.compile(r"(?<![\w-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}={0,2}(?![\w-])"), MARK),
]


def _quoted_mark(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return f"{value[0]}{MARK}{value[0]}"
    return MARK


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite the record's message (and any traceback text) without secrets, once."""
    if record.args is None and getattr(record, "_fenpay_clean", None) is record.msg:
        return record  # already done (by the factory), and nobody replaced the message since
    if record.name == "uvicorn.access" and isinstance(record.args, tuple):
        # uvicorn's AccessFormatter unpacks the arguments (client, method, path, version,
        # status): redact each one and keep the tuple, or every access line is a logging error.
        record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return record
    try:
        message = record.getMessage()
    except Exception:  # malformed arguments: keep the template only
        message = str(record.msg)
    record.msg = redact(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._fenpay_clean = record.msg  # type: ignore[attr-defined]
    return record


class RedactingFilter(logging.Filter):
    """A handler filter that lets every record through, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_FILTER = RedactingFilter()
_LOGGERS_WITH_HANDLERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "fenpay", "tortoise")


def _redacting_factory(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    factory._fenpay_redacting = True  # type: ignore[attr-defined]
    return factory


def install() -> None:
    """Redact every log record of this process (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "_fenpay_redacting", False):
        logging.setLogRecordFactory(_redacting_factory(current))
    for name in _LOGGERS_WITH_HANDLERS:
        for handler in logging.getLogger(name).handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
