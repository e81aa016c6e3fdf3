"""Per-purpose wording: email subjects (Simplified Chinese) and SMS template parameters."""

from __future__ import annotations

EMAIL_SUBJECTS = {
    "REGISTER": "fenpay 注册验证码",
    "LOGIN": "fenpay 登录验证码",
    "RESET_PASSWORD": "fenpay 重置密码验证码",
    "RESET_PAYMENT_PASSWORD": "fenpay 重置支付密码验证码",
    "BIND_PHONE": "fenpay 绑定手机验证码",
    "BIND_EMAIL": "fenpay 绑定邮箱验证码",
    "PAYMENT": "fenpay 支付验证码",
    "BALANCE": "fenpay 余额变动提醒",
    "REFUND": "fenpay 退款通知",
    "REAL_NAME_REVIEW": "fenpay 实名认证结果",
    "ACCOUNT_STATUS": "fenpay 账户状态通知",
    "TICKET": "fenpay 客服回复",
}
DEFAULT_SUBJECT = "fenpay 通知"


def email_subject(purpose: str) -> str:
    return EMAIL_SUBJECTS.get(purpose, DEFAULT_SUBJECT)


def template_params(text: str, params: dict[str, str]) -> dict[str, str]:
    """Parameters for a provider template: the caller's (e.g. ``code``) or, for plain
    notices, the whole text as ``content`` (register such templates as ``${content}``)."""
    return dict(params) if params else {"content": text}
