"""Alibaba Cloud SMS (Dysmsapi ``SendSms``, API version 2017-05-25) over its documented RPC
HTTP API with signature version 1.0 (HMAC-SHA1 over the canonical query string).

Each purpose is sent with a template registered with the provider
(``FENPAY_SMS_ALIYUN_TEMPLATES="REGISTER=SMS_1,LOGIN=SMS_2,*=SMS_9"``; ``*`` is the default).
Template parameters come from the message (``{"code": ...}`` for codes, ``{"content": text}``
for notices). Answer ``Code == "OK"`` means taken; quota and throttling codes are retried,
other ``isv.*`` codes (bad number, template) are permanent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
import orjson

from .. import outbound_http
from .channels import DeliveryError, Message
from .http_probe import probe
from .templates import template_params

API_VERSION = "2017-05-25"
RETRYABLE_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "isp.RAM_PERMISSION_DENY", "isp.SYSTEM_ERROR",
                   "SignatureNonceUsed", "isv.DAY_LIMIT_CONTROL"}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as the provider specifies (space %20, '*' %2A, '~' kept)."""
    return quote(value, safe="-_.~")


def string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(params[k])}" for k in sorted(params))
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def sign(method: str, params: dict[str, str], access_key_secret: str) -> str:
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode()


def parse_templates(spec: str) -> dict[str, str]:
    """``"REGISTER=SMS_1,*=SMS_9"`` -> {"REGISTER": "SMS_1", "*": "SMS_9"}."""
    templates = {}
    for item in spec.split(","):
        if "=" in item:
            purpose, code = item.split("=", 1)
            templates[purpose.strip()] = code.strip()
    return templates


class AliyunSmsChannel:
    name = "aliyun-sms"

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str,
                 templates: dict[str, str], endpoint: str = "https://dysmsapi.aliyuncs.com/",
                 region: str = "cn-hangzhou", timeout_seconds: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._key_id = access_key_id
        self._key_secret = access_key_secret
        self._sign_name = sign_name
        self._templates = templates
        self._endpoint = endpoint
        self._region = region
        self._timeout = timeout_seconds
        self._transport = transport

    def request_params(self, message: Message, *, now: datetime | None = None, nonce: str | None = None) -> dict[str, str]:
        template = self._templates.get(message.purpose) or self._templates.get("*")
        if template is None:
            raise DeliveryError(f"no SMS template configured for {message.purpose}", permanent=True)
        phone = message.recipient.removeprefix("+86")
        params = {
            "AccessKeyId": self._key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": str(message.id),
            "PhoneNumbers": phone,
            "RegionId": self._region,
            "SignName": self._sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or secrets.token_hex(16),
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": orjson.dumps(template_params(message.text, message.params)).decode(),
            "Timestamp": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
        }
        params["Signature"] = sign("POST", params, self._key_secret)
        return params

    async def send(self, message: Message) -> None:
        params = self.request_params(message)
        try:
            async with outbound_http.client(timeout=self._timeout, transport=self._transport) as client:
                response = await client.post(self._endpoint, data=params)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"provider unreachable: {type(exc).__name__}") from exc
        try:
            answer = response.json()
        except ValueError as exc:
            raise DeliveryError(f"provider answered {response.status_code} without JSON") from exc
        code = str(answer.get("Code", ""))
        if code == "OK":
            return
        permanent = code.startswith("isv.") and code not in RETRYABLE_CODES
        raise DeliveryError(f"provider code {code or response.status_code}", permanent=permanent)

    async def check(self) -> str:
        return await probe("GET", self._endpoint, label="provider", timeout=self._timeout, transport=self._transport)
