"""The SMS adapters' wire formats: the Alibaba Cloud request is signed as its documentation
specifies (checked by an independent implementation of the v1.0 signature), answers map to
delivered / retried / permanent, and the gateway adapter signs its body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

import httpx
import pytest

from app.messaging.aliyun_sms import AliyunSmsChannel, parse_templates
from app.messaging.channels import DeliveryError, Message
from app.messaging.sms_gateway import HttpSmsGateway

SECRET = "testsecret"


def documented_signature(form: dict[str, str], secret: str) -> str:
    """Signature v1.0 as the provider documents it, written independently of the adapter."""
    def enc(value: str) -> str:
        return quote(value, safe="~").replace("+", "%20").replace("*", "%2A")

    pairs = sorted((k, v) for k, v in form.items() if k != "Signature")
    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)
    to_sign = "POST&%2F&" + enc(canonical)
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


def channel(answer: dict[str, str], seen: list[dict[str, str]]) -> AliyunSmsChannel:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(parse_qsl(request.content.decode())))
        return httpx.Response(200, json=answer)

    return AliyunSmsChannel(access_key_id="testid", access_key_secret=SECRET, sign_name="fenpay",
                            templates=parse_templates("REGISTER=SMS_1,*=SMS_9"),
                            transport=httpx.MockTransport(handler))


CODE_MESSAGE = Message(id=7, recipient="13800000000", purpose="REGISTER", text="验证码 123456 *~",
                       params={"code": "123456"})


async def test_aliyun_request_is_signed_as_documented_and_uses_the_purpose_template():
    seen: list[dict[str, str]] = []
    await channel({"Code": "OK", "BizId": "1"}, seen).send(CODE_MESSAGE)
    form = seen[0]
    assert form["Signature"] == documented_signature(form, SECRET)
    assert form["Action"] == "SendSms" and form["Version"] == "2017-05-25"
    assert form["TemplateCode"] == "SMS_1" and json.loads(form["TemplateParam"]) == {"code": "123456"}
    assert form["OutId"] == "7" and form["PhoneNumbers"] == "13800000000"


async def test_aliyun_notice_without_params_uses_the_default_template_with_its_text():
    seen: list[dict[str, str]] = []
    notice = Message(id=8, recipient="13800000000", purpose="BALANCE", text="余额变动 +¥1.00")
    await channel({"Code": "OK"}, seen).send(notice)
    assert seen[0]["TemplateCode"] == "SMS_9"
    assert json.loads(seen[0]["TemplateParam"]) == {"content": "余额变动 +¥1.00"}


@pytest.mark.parametrize(("code", "permanent"), [("isv.MOBILE_NUMBER_ILLEGAL", True),
                                                 ("isv.BUSINESS_LIMIT_CONTROL", False),
                                                 ("Throttling.User", False)])
async def test_aliyun_refusals_are_permanent_or_retried(code, permanent):
    with pytest.raises(DeliveryError) as refused:
        await channel({"Code": code}, []).send(CODE_MESSAGE)
    assert refused.value.permanent is permanent


def test_aliyun_signature_is_stable_for_fixed_inputs():
    fixed = channel({}, []).request_params(CODE_MESSAGE, now=datetime(2026, 11, 30, tzinfo=UTC), nonce="n1")
    assert fixed["Timestamp"] == "2026-11-30T00:00:00Z"
    assert fixed["Signature"] == documented_signature(fixed, SECRET)


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (429, False), (503, False)])
async def test_gateway_maps_statuses(status, permanent):
    gateway = HttpSmsGateway(url="http://gateway.invalid/sms", secret="s",
                             transport=httpx.MockTransport(lambda request: httpx.Response(status)))
    with pytest.raises(DeliveryError) as refused:
        await gateway.send(CODE_MESSAGE)
    assert refused.value.permanent is permanent
