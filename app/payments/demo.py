"""`fenpay seed-demo`: a café, a noodle shop, a utility company and a Tokyo ramen shop that
is paid in JPY (cross-border, paid with a locked quote), each with an owner who can sign in
(sandbox credentials below). Idempotent: existing merchants are left alone."""

from __future__ import annotations

from models import Merchant, User

from ..identity.users import create_user
from .merchants import create_merchant

DEMO_OWNER_PASSWORD = "Shop#demo2026"

# (merchant number, name, category, owner's phone, merchant's currency)
DEMO_MERCHANTS = (
    ("M000000000101", "分付咖啡馆", "餐饮·咖啡", "13700000101", "CNY"),
    ("M000000000102", "老街牛肉面馆", "餐饮·面馆", "13700000102", "CNY"),
    ("M000000000103", "城市水电燃气公司", "生活缴费", "13700000103", "CNY"),
    ("M000000000104", "东京拉面 Tokyo Ramen", "餐饮·跨境", "13700000104", "JPY"),
)


async def _owner(phone: str) -> User:
    """The owner (an ordinary user; becoming a merchant gives the MERCHANT role)."""
    return await User.get_or_none(phone=phone) or await create_user(phone, DEMO_OWNER_PASSWORD)


async def seed_merchants() -> str:
    created = []
    for merchant_no, name, category, phone, currency in DEMO_MERCHANTS:
        if await Merchant.filter(merchant_no=merchant_no).exists():
            continue
        owner = await _owner(phone)
        if await Merchant.filter(owner_id=owner.id).exists():
            continue  # this phone already owns another merchant
        await create_merchant(name, category, phone, actor_id=None, merchant_no=merchant_no, currency=currency)
        created.append(f"{name} {merchant_no}")
    listing = ", ".join(f"{name} {no} ({currency}, 店主 {phone})" for no, name, _, phone, currency in DEMO_MERCHANTS)
    summary = f"created {len(created)} merchants" if created else "merchants already present"
    return f"{summary}; {listing}; 店主登录密码 {DEMO_OWNER_PASSWORD}"
