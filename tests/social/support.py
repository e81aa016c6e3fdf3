"""GraphQL documents and helpers shared by the social tests."""

from __future__ import annotations

import os
import subprocess
import sys

SEND = """
mutation($input: SendRedPacketInput!) { sendRedPacket(input: $input) {
  redPacket { id packetNo mode amount count claimedCount claimedAmount remainingAmount status forOnePerson }
  account { available frozen }
  errors { code field message }
} }
"""

CLAIM = """
mutation($input: ClaimRedPacketInput!) { claimRedPacket(input: $input) {
  claim { seq amount claimerName }
  redPacket { claimedCount claimedAmount status }
  account { available }
  errors { code field message }
} }
"""

PACKET = """
query($no: String!) { redPacket(packetNo: $no) {
  packetNo amount count claimedCount claimedAmount remainingAmount refundedAmount status senderName
  claims { seq amount claimerName } myClaim { amount }
} }
"""

LIVE_PACKET = "subscription($no: String!) { redPacketUpdates(packetNo: $no) { claimedCount status claims { seq amount claimerName } } }"


def send_input(amount: str, count: int, mode: str = "RANDOM", key: str = "rp-1", **extra: object) -> dict:
    from tests.factories import DEFAULT_PIN

    return {"input": {"amount": amount, "count": count, "mode": mode, "paymentPassword": DEFAULT_PIN,
                      "idempotencyKey": key, **extra}}


def fenpay_reconcile(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``fenpay reconcile`` as an operator runs it, against the test database."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "reconcile"], env={**os.environ, **env},
        capture_output=True, text=True, timeout=120,
    )

REQUEST = """
mutation($input: RequestPaymentInput!) { requestPayment(input: $input) {
  payRequest { id requestNo amount note status items { id amount status payerName } }
  errors { code field message }
} }
"""

PAY_PART = """
mutation($input: PayPayRequestInput!) { payPayRequest(input: $input) {
  item { id status amount }
  transaction { transactionNo type amount }
  account { available }
  errors { code field message }
} }
"""

DECLINE = """
mutation($input: DeclinePayRequestInput!) { declinePayRequest(input: $input) {
  item { id status } errors { code field }
} }
"""

INBOX = "query { payRequestsToMe { id amount status request { requestNo note requesterName } } }"

LIVE_REQUEST = """subscription($no: String!) { payRequestUpdates(requestNo: $no) {
  status items { amount status payerName } } }"""

LIVE_INBOX = "subscription { payRequestsInbox { id amount request { requestNo note } } }"
