"""The channels this process delivers through, built from the settings (see README
"Operations": FENPAY_SMS_PROVIDER, FENPAY_SMS_GATEWAY_*, FENPAY_SMS_ALIYUN_*, FENPAY_SMTP_*)."""

from __future__ import annotations

from functools import lru_cache

from .. import runtime
from ..settings import MessagingSettings
from .aliyun_sms import AliyunSmsChannel, parse_templates
from .channels import DeliveryError, MessageChannel
from .sms_gateway import HttpSmsGateway
from .smtp import SmtpChannel


def build_sms(config: MessagingSettings) -> MessageChannel | None:
    if config.sms_provider == "gateway" and config.sms_gateway_url and config.sms_gateway_secret:
        return HttpSmsGateway(url=config.sms_gateway_url, secret=config.sms_gateway_secret)
    if config.sms_provider == "aliyun" and config.aliyun_access_key_id and config.aliyun_access_key_secret:
        return AliyunSmsChannel(
            access_key_id=config.aliyun_access_key_id, access_key_secret=config.aliyun_access_key_secret,
            sign_name=config.aliyun_sign_name or "fenpay", templates=parse_templates(config.aliyun_templates),
            endpoint=config.aliyun_endpoint,
        )
    return None


def build_email(config: MessagingSettings) -> MessageChannel | None:
    if not config.smtp_host:
        return None
    return SmtpChannel(host=config.smtp_host, port=config.smtp_port, sender=config.smtp_from,
                       username=config.smtp_username, password=config.smtp_password,
                       security=config.smtp_security)


@lru_cache(maxsize=4)
def _channels(config: MessagingSettings) -> dict[str, MessageChannel | None]:
    return {"SMS": build_sms(config), "EMAIL": build_email(config)}


class MissingChannel:
    """Stands in for an unconfigured channel: every attempt fails (and is retried), so a
    message is never silently dropped. Production refuses to start in this state."""

    def __init__(self, kind: str) -> None:
        self.name = f"missing-{kind.lower()}"
        self._kind = kind

    async def send(self, message: object) -> None:
        raise DeliveryError(f"no {self._kind} channel configured")

    async def check(self) -> str:
        raise DeliveryError(f"no {self._kind} channel configured")


def channel(kind: str) -> MessageChannel:
    """The channel for ``"SMS"`` or ``"EMAIL"``."""
    found = _channels(runtime.settings().messaging).get(kind)
    return found if found is not None else MissingChannel(kind)
