"""Logs never contain tokens, passwords, codes, card or ID numbers: a flow is run with every
logger at DEBUG (Tortoise's SQL log included) and the captured text is searched."""

from __future__ import annotations

import io
import logging

import pytest

from app import crypto
from app.identity.codes import consume_code, send_code
from app.identity.passwords import hash_payment_password
from app.identity.tokens import issue_access_token
from app.identity.users import create_user
from app.masking import mask_card
from app.ops.log_redaction import MARK, RedactingFilter, install, redact
from models import BankCard, SandboxMessage
from tests.factories import next_id_number, next_phone

# Tests here may run first: the database must be up before the per-test clean-up.
pytestmark = pytest.mark.usefixtures("platform")

PASSWORD = "Qz#83kLm!x"
PIN = "428613"
CARD = "6217001234567890124"
REFRESH_LIKE = "Vb3k9QwZx7T2mNpR4sLc8YhJ1dFgA6eU0oIiKkWw"


async def test_a_full_flow_logs_no_secrets(gql, caplog):
    caplog.set_level(logging.DEBUG)
    assert logging.getLogger("tortoise.db_client").isEnabledFor(logging.DEBUG)
    phone = next_phone()
    id_number = next_id_number("19900101")

    await send_code(phone, "REGISTER")
    code = (await SandboxMessage.get(recipient=phone)).text.split("验证码是 ")[1][:6]
    await consume_code(phone, "REGISTER", code, ("input", "verificationCode"))
    user = await create_user(phone, PASSWORD, terms_version="2026-11")
    user.payment_password_hash = hash_payment_password(user.id, PIN)
    user.real_name_enc = crypto.encrypt("王小明")
    user.id_number_enc = crypto.encrypt(id_number)
    user.id_number_index = crypto.blind_index(id_number, "id_number")
    user.real_name_status = "VERIFIED"
    await user.save()
    await BankCard.create(
        user=user, bank_name="中国银行", number_enc=crypto.encrypt(CARD),
        number_index=crypto.blind_index(CARD, "card_number"), masked_number=mask_card(CARD),
        last4=CARD[-4:], holder_name_enc=crypto.encrypt("王小明"), reserved_phone=phone,
    )
    token, _ = issue_access_token(user.id)
    data = await gql.ok("{ viewer { idNumber bankCards { id } } }", token=token)
    assert data["viewer"]["idNumber"].endswith(id_number[-4:])
    # Careless code that logs secrets is cleaned too.
    logging.getLogger("fenpay.example").info(
        "login ok token=%s refresh=%s pin=%s card %s id %s", token, REFRESH_LIKE, PIN, CARD, id_number
    )
    logging.getLogger("fenpay.example").debug("headers: {'authorization': 'Bearer %s'}", token)

    text = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert "sandbox_messages" in text, "the SQL debug log was not captured"
    assert f"验证码是 {MARK}" in text  # the code was in the SQL parameters and got redacted
    for secret in (PASSWORD, PIN, code, token, REFRESH_LIKE, CARD, id_number):
        assert secret not in text, f"{secret!r} leaked into the logs"
    assert token.split(".")[1] not in text  # not even the JWT payload part


@pytest.mark.parametrize(
    ("raw", "secret"),
    [
        ("INSERT ...: ['138', 'REGISTER', '【fenpay】您的注册验证码是 123456，5 分钟内有效。']", "123456"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature-1", "eyJzdWIiOiIxIn0"),
        ('{"password": "Fen!pay2026", "phone": "13800000000"}', "Fen!pay2026"),
        ("{'verificationCode': '654321'}", "654321"),
        ('variables={"paymentPassword": "135790"}', "135790"),
        ("card 6222 0212 3456 7890 bound", "3456 7890"),
        ("card=6222021234567890123", "6222021234567890123"),
        ("id 11010519491231002X verified", "11010519491231002X"),
        ("pool params {'host': 'db', 'password': 's3cret-pw'}", "s3cret-pw"),
        ("postgres://fenpay:s3cret@db:5432/fenpay", "s3cret"),
        ("refresh token Vb3k9QwZx7T2mNpR4sLc8YhJ1dFgA6eU0oIiKkWw", "Vb3k9QwZx7T2mNpR4sLc8YhJ1dFgA6eU0oIiKkWw"),
        ("密码 135790 已设置", "135790"),
    ],
)
def test_redaction_patterns(raw, secret):
    cleaned = redact(raw)
    assert secret not in cleaned and MARK in cleaned


def test_ordinary_log_lines_stay_readable():
    for line in (
        "job reconcile: ledger clean",
        "request 3f2a: unexpected error in riskAlerts (error code: VALIDATION_FAILED)",
        "user 42 paid 1000 fen in transaction T20261128000000001234",
        "SELECT COUNT(*) FROM journals: [12, 'SUCCEEDED']",
    ):
        assert redact(line) == line


def test_filter_on_fenpay_handlers_redacts_records_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    try:
        install()
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
        # A record made without the factory (as by a library's own makeRecord) is still cleaned.
        record = logging.makeLogRecord({"msg": "code=%s for %s", "args": ("918273", "6222021234567890123")})
        try:
            raise ValueError("bad password=hunter2xyz")
        except ValueError as exc:
            record.exc_info = (type(exc), exc, exc.__traceback__)
        handler.handle(record)
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "918273" not in output and "6222021234567890123" not in output and "hunter2xyz" not in output
    assert "ValueError" in output and MARK in output


def test_the_command_line_installs_redaction_on_its_handlers():
    from app.cli import main

    with pytest.raises(SystemExit):
        main(["no-such-command"])  # logging is set up before the arguments are parsed
    handlers = logging.getLogger().handlers
    assert handlers
    assert all(any(isinstance(f, RedactingFilter) for f in h.filters) for h in handlers)


def test_uvicorn_access_lines_format_and_are_redacted():
    """uvicorn's access formatter unpacks the record's arguments: redaction keeps them a tuple."""
    from uvicorn.logging import AccessFormatter

    install()
    record = logging.getLogRecordFactory()(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/health?token={REFRESH_LIKE}", "1.1", 200), None,
    )
    RedactingFilter().filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False).format(record)
    assert line.startswith('127.0.0.1:5000 - "GET /health?token=') and line.endswith(" 200 OK")
    assert REFRESH_LIKE not in line and MARK in line
