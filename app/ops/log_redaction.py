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
            r"(\"[^\"]*\"|'[^']*'|(?!\[REDACTED\])[^\s,;&)}\]]+)"
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


def _redact_arg(value: Any) -> Any:
    """One %-argument without secrets; numbers and other plain values are kept as they are
    (a format such as uvicorn's ``%d`` needs them), anything else becomes redacted text."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = value if isinstance(value, str) else str(value)
    cleaned = redact(text)
    return value if cleaned == text and not isinstance(value, str) else cleaned


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite the record's message (and any traceback text) without secrets, once.

    Arguments are redacted one by one and kept, not dropped: some formatters unpack them
    (uvicorn's access formatter reads ``client_addr, method, path, http_version, status``
    from ``record.args`` and raised on ``None``, so no access line was written). Only when
    the template itself still carries a secret once formatted is the record flattened into
    its redacted text.
    """
    if getattr(record, "_fenpay_clean", None) is record.msg and getattr(record, "_fenpay_args", None) is record.args:
        return record  # already done (by the factory), and nobody replaced the message since
    args = record.args
    if isinstance(args, tuple):
        args = tuple(_redact_arg(a) for a in args)
    elif isinstance(args, dict):
        args = {k: _redact_arg(v) for k, v in args.items()}
    try:
        message = str(record.msg) % args if args else str(record.msg)
    except Exception:  # malformed arguments: keep the template only
        message, args = str(record.msg), None
    cleaned = redact(message)
    if args and (cleaned == message or record.name == "uvicorn.access"):
        # uvicorn's access formatter cannot do without its arguments: they are kept redacted.
        record.args = args
    else:
        record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._fenpay_clean = record.msg  # type: ignore[attr-defined]
    record._fenpay_args = record.args  # type: ignore[attr-defined]
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
