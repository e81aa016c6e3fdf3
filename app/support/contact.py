"""The platform's customer-service channels (seed 8.2), from settings."""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import Settings


@dataclass(frozen=True)
class ContactChannel:
    kind: str  # PHONE, ONLINE_CHAT, EMAIL or OFFICIAL_ACCOUNT
    label: str
    value: str
    description: str


def contact_channels(settings: Settings) -> list[ContactChannel]:
    return [
        ContactChannel(
            "PHONE",
            "电话客服",
            settings.contact_phone,
            "拨打官方客服电话，将有专人为您解答疑问。",
        ),
        ContactChannel(
            "ONLINE_CHAT",
            "在线客服",
            settings.contact_chat_url,
            "登录官网或 APP，点击在线客服图标，与客服人员实时沟通；也可以提交工单，在工单中与客服实时对话。",
        ),
        ContactChannel(
            "EMAIL",
            "邮箱客服",
            settings.contact_email,
            "将问题发送至官方客服邮箱，客服人员会在收到邮件后尽快回复。",
        ),
        ContactChannel(
            "OFFICIAL_ACCOUNT",
            "公众号客服",
            settings.contact_official_account,
            "关注官方公众号，点击菜单栏中的“客服”或“反馈与投诉”，即可与客服人员实时沟通或提交反馈。",
        ),
    ]
