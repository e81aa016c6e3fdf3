"""Email over SMTP (aiosmtplib): STARTTLS by default, implicit TLS or plain for a local relay."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from .channels import DeliveryError, Message
from .templates import email_subject


class SmtpChannel:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        security: str = "starttls",
        timeout_seconds: float = 10.0,
    ) -> None:
        if security not in ("starttls", "tls", "none"):
            raise ValueError("security must be starttls, tls or none")
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._security = security
        self._timeout = timeout_seconds

    def _connection_options(self) -> dict[str, object]:
        return {
            "hostname": self._host,
            "port": self._port,
            "username": self._username,
            "password": self._password,
            "use_tls": self._security == "tls",
            "start_tls": True if self._security == "starttls" else False,
            "timeout": self._timeout,
        }

    async def send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.recipient
        email["Subject"] = email_subject(message.purpose)
        email["Message-ID"] = f"<fenpay-{message.id}@{self._sender.rpartition('@')[2] or 'fenpay'}>"
        email.set_content(message.text)
        try:
            await aiosmtplib.send(email, **self._connection_options())  # type: ignore[arg-type]
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc}", permanent=True) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {exc.code}", permanent=500 <= exc.code < 600) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(f"SMTP unreachable: {type(exc).__name__}") from exc

    async def check(self) -> str:
        client = aiosmtplib.SMTP(**self._connection_options())  # type: ignore[arg-type]
        try:
            await client.connect()
            await client.noop()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(f"SMTP {self._host}:{self._port} unreachable: {type(exc).__name__}") from exc
        finally:
            if client.is_connected:
                await client.quit()
        return f"SMTP {self._host}:{self._port} answers"
