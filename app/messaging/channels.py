"""The message channel interface and the errors a delivery attempt can end with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Message:
    """What a channel needs to deliver one message."""

    id: int
    recipient: str
    purpose: str
    text: str
    params: dict[str, Any] = field(default_factory=dict)


class DeliveryError(Exception):
    """The channel did not take the message. ``permanent`` errors are not retried
    (a malformed recipient, a rejected template); everything else is."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class MessageChannel(Protocol):
    name: str

    async def send(self, message: Message) -> None:
        """Hand the message to the provider; raise ``DeliveryError`` when it was not taken."""

    async def check(self) -> str:
        """Cheap reachability check for `fenpay doctor`; raises ``DeliveryError`` when down."""
