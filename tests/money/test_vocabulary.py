"""The domain vocabulary (app/ledger/vocabulary.py, app/identity/roles.py) is what the API serves,
and the refundable-amount rule lives once, in app/refunds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.identity.roles import STAFF_ROLES, Role
from app.ledger.vocabulary import OWNER_DIRECTION, Channel, Direction, TransactionStatus, TransactionType, direction_of
from app.refunds.requests import refundable_amount
from models import Transaction

ROOT = Path(__file__).resolve().parents[2]

ENUM_VALUES = """
query($name: String!) { __type(name: $name) { enumValues { name } } }
"""


@pytest.mark.parametrize(
    ("graphql_name", "domain_enum"),
    [
        ("TransactionType", TransactionType),
        ("TransactionStatus", TransactionStatus),
        ("Channel", Channel),
        ("Direction", Direction),
        ("Role", Role),
    ],
)
async def test_the_api_serves_the_domain_enums_value_for_value(gql, graphql_name, domain_enum):  # noqa: ANN001
    data = await gql.ok(ENUM_VALUES, {"name": graphql_name})
    served = [value["name"] for value in data["__type"]["enumValues"]]
    assert served == [member.value for member in domain_enum]


def test_members_equal_the_stored_strings() -> None:
    assert TransactionStatus.PENDING == "PENDING"
    assert "PAYMENT" in {TransactionType.PAYMENT}
    assert {"SUPPORT", "USER"} & STAFF_ROLES == {"SUPPORT"}
    assert f"{Channel.BANK_CARD}" == "BANK_CARD"


def test_every_type_has_a_direction_and_the_counterparty_sees_the_opposite() -> None:
    assert set(OWNER_DIRECTION) == set(TransactionType)
    assert direction_of("PAYMENT", initiator=True) is Direction.OUT
    assert direction_of("PAYMENT", initiator=False) is Direction.IN
    assert direction_of("TOP_UP", initiator=True) is Direction.IN
    assert direction_of("RED_PACKET_CLAIM", initiator=False) is Direction.OUT
    for tx_type in TransactionType:
        assert direction_of(tx_type, initiator=True) != direction_of(tx_type, initiator=False)


def _tx(tx_type: str, status: str, amount: int = 1000, refunded: int = 0) -> Transaction:
    return Transaction(type=tx_type, status=status, amount=amount, refunded_amount=refunded, account_id=7)


def test_refundable_amount_is_what_remains_of_the_payers_succeeded_payment_or_transfer() -> None:
    assert refundable_amount(_tx("PAYMENT", "SUCCEEDED", refunded=300), 7) == 700
    assert refundable_amount(_tx("TRANSFER", "SUCCEEDED"), 7) == 1000
    assert refundable_amount(_tx("PAYMENT", "SUCCEEDED", refunded=1000), 7) == 0
    assert refundable_amount(_tx("PAYMENT", "SUCCEEDED"), 8) == 0  # the payee's view
    assert refundable_amount(_tx("PAYMENT", "PROCESSING"), 7) == 0
    assert refundable_amount(_tx("TOP_UP", "SUCCEEDED"), 7) == 0


def test_each_word_is_defined_once() -> None:
    """STAFF_ROLES, the direction table and the refundable types are not copied into other modules."""
    sources = [p for d in ("app", "schema", "resolvers") for p in (ROOT / d).rglob("*.py")]
    for name, home in (
        ("STAFF_ROLES", "app/identity/roles.py"),
        ("RISK_ROLES", "app/identity/roles.py"),
        ("OWNER_DIRECTION", "app/ledger/vocabulary.py"),
        ("REFUNDABLE_TYPES", "app/refunds/requests.py"),
    ):
        assignment = re.compile(rf"^\s*{name}\b[^=\n]*=", re.M)
        where = sorted(str(p.relative_to(ROOT)) for p in sources if assignment.search(p.read_text(encoding="utf-8")))
        assert where == [home], (name, where)


def test_app_attaches_no_graphql_extensions_to_its_errors() -> None:
    """Forbidden and every DomainError get their GraphQL ``extensions`` in schema/errors.py only."""
    offenders = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "app").rglob("*.py")
        if "extensions = " in p.read_text(encoding="utf-8")
    )
    # The Money scalar's parse error (raised by graphql-core's literal parsing, not by a rule).
    assert offenders == ["app/money.py"]
