"""The product catalogue: creating products (ADMIN), listing with filters, status changes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from models.wealth import WealthProduct

from .. import audit
from ..errors import DomainError, ErrorCode, input_field
from .rates import MalformedRate, parse_percent

PRODUCT_TYPES = ("FIXED_DEPOSIT", "MONEY_MARKET_FUND", "BOND", "INSURANCE")
RISK_LEVELS = ("R1", "R2", "R3", "R4", "R5")
STATUSES = ("ON_SALE", "SOLD_OUT", "CLOSED")
ON_SALE = "ON_SALE"
MAX_TERM_DAYS = 3650  # ten years

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,31}$")


@dataclass(frozen=True)
class NewProduct:
    code: str
    name: str
    type: str
    expected_annual_return: str
    term_days: int | None
    risk_level: str
    min_purchase: int
    description: str
    risk_disclosure: str


@dataclass(frozen=True)
class ProductFilter:
    types: list[str] | None = None
    min_expected_return: str | None = None
    max_term_days: int | None = None
    risk_levels: list[str] | None = None
    on_sale_only: bool = False


def _required_text(value: str, field: str, label: str, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"{label}不能为空", input_field(field))
    if max_length is not None and len(text) > max_length:
        raise DomainError(ErrorCode.VALIDATION_FAILED, f"{label}不能超过 {max_length} 个字符", input_field(field))
    return text


def _validate(new: NewProduct) -> dict[str, Any]:
    code = (new.code or "").strip().upper()
    if not _CODE.match(code):
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            "产品代码须为 3-32 位大写字母、数字、下划线或连字符，且以字母或数字开头",
            input_field("code"),
        )
    name = _required_text(new.name, "name", "产品名称", 100)
    if new.type not in PRODUCT_TYPES:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "未知的产品类型", input_field("type"))
    try:
        rate_bp = parse_percent(new.expected_annual_return)
    except MalformedRate:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            "预期年化收益率须为 0 到 100 之间、最多两位小数的百分数，如 \"3.25\"",
            input_field("expectedAnnualReturn"),
        ) from None
    if new.term_days is not None and not 1 <= new.term_days <= MAX_TERM_DAYS:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            f"投资期限须为 1 到 {MAX_TERM_DAYS} 天（开放式产品请留空）",
            input_field("termDays"),
        )
    if new.risk_level not in RISK_LEVELS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "风险等级须为 R1 到 R5", input_field("riskLevel"))
    if new.min_purchase <= 0:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "起购金额须大于 0", input_field("minPurchase"))
    return {
        "code": code,
        "name": name,
        "type": new.type,
        "expected_return_bp": rate_bp,
        "term_days": new.term_days,
        "risk_level": new.risk_level,
        "min_purchase": new.min_purchase,
        "description": _required_text(new.description, "description", "产品说明"),
        "risk_disclosure": _required_text(new.risk_disclosure, "riskDisclosure", "风险揭示"),
    }


async def create_product(new: NewProduct, *, actor_id: int | None, ip: str | None = None) -> WealthProduct:
    fields = _validate(new)
    if await WealthProduct.filter(code=fields["code"]).exists():
        raise DomainError(ErrorCode.VALIDATION_FAILED, "产品代码已存在", input_field("code"))
    product = await WealthProduct.create(status=ON_SALE, **fields)
    await audit.record(
        "WEALTH_PRODUCT_CREATED", actor_id=actor_id, ip=ip, details={"productId": product.id, "code": product.code}
    )
    return product


async def set_status(
    product_id: int | None, status: str, *, actor_id: int | None, ip: str | None = None
) -> WealthProduct:
    if status not in STATUSES:
        raise DomainError(ErrorCode.VALIDATION_FAILED, "未知的产品状态", input_field("status"))
    product = await get_product(product_id)
    if product is None:
        raise DomainError(ErrorCode.NOT_FOUND, "理财产品不存在", input_field("productId"))
    if product.status != status:
        previous = product.status
        product.status = status
        await product.save(update_fields=["status"])
        await audit.record(
            "WEALTH_PRODUCT_STATUS",
            actor_id=actor_id,
            ip=ip,
            details={"productId": product.id, "from": previous, "to": status},
        )
    return product


async def get_product(product_id: int | None) -> WealthProduct | None:
    if product_id is None:
        return None
    return await WealthProduct.get_or_none(id=product_id)


def product_query(flt: ProductFilter | None) -> Any:
    """The catalogue as a queryset, narrowed by ``flt``.

    ``maxTermDays`` keeps open-ended products: they can be left any day, so no term exceeds it.
    """
    query = WealthProduct.all()
    if flt is None:
        return query
    if flt.types is not None:
        query = query.filter(type__in=flt.types)
    if flt.risk_levels is not None:
        query = query.filter(risk_level__in=flt.risk_levels)
    if flt.min_expected_return is not None:
        try:
            minimum = parse_percent(flt.min_expected_return)
        except MalformedRate:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED,
                "最低预期收益率须为最多两位小数的百分数，如 \"3.00\"",
                ("filter", "minExpectedReturn"),
            ) from None
        query = query.filter(expected_return_bp__gte=minimum)
    if flt.max_term_days is not None:
        if flt.max_term_days < 0:
            raise DomainError(ErrorCode.VALIDATION_FAILED, "最长期限不能为负数", ("filter", "maxTermDays"))
        query = query.filter(Q(term_days__isnull=True) | Q(term_days__lte=flt.max_term_days))
    if flt.on_sale_only:
        query = query.filter(status=ON_SALE)
    return query
