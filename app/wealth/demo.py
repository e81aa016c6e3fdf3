"""Demo catalogue for `fenpay seed-demo`: every product type and risk levels R1-R5 (idempotent)."""

from __future__ import annotations

from models.wealth import WealthProduct

from .catalogue import NewProduct, create_product, set_status

_DISCLOSURE = (
    "理财非存款，产品有风险，投资须谨慎。预期年化收益率不代表实际收益，过往业绩不预示未来表现。"
    "请根据自身风险承受能力谨慎选择，投资者须自行承担投资风险。"
)

DEMO_PRODUCTS: tuple[NewProduct, ...] = (
    NewProduct(
        code="MMF-DAILY",
        name="零钱宝货币基金",
        type="MONEY_MARKET_FUND",
        expected_annual_return="1.85",
        term_days=None,
        risk_level="R1",
        min_purchase=100,
        description="投资于银行存款、同业存单等货币市场工具，按日计算收益，可随时赎回至余额，实时到账。",
        risk_disclosure="货币基金不保证本金和收益。" + _DISCLOSURE,
    ),
    NewProduct(
        code="FD-90D",
        name="稳享 90 天定期",
        type="FIXED_DEPOSIT",
        expected_annual_return="2.35",
        term_days=90,
        risk_level="R1",
        min_purchase=100_00,
        description="期限 90 天，按日计算收益，到期本息自动赎回至余额，期间不可提前赎回。",
        risk_disclosure="到期前不可赎回，存在流动性风险。" + _DISCLOSURE,
    ),
    NewProduct(
        code="FD-365D",
        name="稳享一年定期",
        type="FIXED_DEPOSIT",
        expected_annual_return="2.75",
        term_days=365,
        risk_level="R2",
        min_purchase=1_000_00,
        description="期限 365 天，按日计算收益，到期本息自动赎回至余额，期间不可提前赎回。",
        risk_disclosure="到期前不可赎回，存在流动性风险。" + _DISCLOSURE,
    ),
    NewProduct(
        code="BOND-180D",
        name="安盈纯债 180 天",
        type="BOND",
        expected_annual_return="3.40",
        term_days=180,
        risk_level="R2",
        min_purchase=1_000_00,
        description="主要投资于国债、政策性金融债和高等级信用债，期限 180 天，到期自动赎回。",
        risk_disclosure="债券价格受利率变化影响，发行人可能违约，存在信用风险和利率风险。" + _DISCLOSURE,
    ),
    NewProduct(
        code="BOND-FLEX",
        name="增利债券开放式",
        type="BOND",
        expected_annual_return="3.90",
        term_days=None,
        risk_level="R3",
        min_purchase=500_00,
        description="投资于信用债与可转债的开放式产品，按日计算收益，可随时赎回。",
        risk_disclosure="可转债与信用债价格波动较大，可能出现本金亏损。" + _DISCLOSURE,
    ),
    NewProduct(
        code="FD-30D-NEWYEAR",
        name="新春特供 30 天定期（已售罄）",
        type="FIXED_DEPOSIT",
        expected_annual_return="3.00",
        term_days=30,
        risk_level="R1",
        min_purchase=1_000_00,
        description="限时限量发售的 30 天定期产品，额度已售完。",
        risk_disclosure="到期前不可赎回，存在流动性风险。" + _DISCLOSURE,
    ),
    NewProduct(
        code="INS-UL-3Y",
        name="万能型终身寿险（三年期）",
        type="INSURANCE",
        expected_annual_return="4.50",
        term_days=1095,
        risk_level="R4",
        min_purchase=10_000_00,
        description="兼具保障与理财功能的万能型保险，保障期内按日计算收益，三年期满自动给付至余额。",
        risk_disclosure="保险产品收益不保证，提前退保可能损失本金。" + _DISCLOSURE,
    ),
    NewProduct(
        code="INS-EQ-LINK",
        name="权益连结投资险",
        type="INSURANCE",
        expected_annual_return="6.80",
        term_days=730,
        risk_level="R5",
        min_purchase=50_000_00,
        description="投资账户主要投向股票及权益类基金，追求长期资本增值，期限两年。",
        risk_disclosure="权益类投资波动大，可能损失大部分本金，仅适合风险承受能力为 C5 的投资者。" + _DISCLOSURE,
    ),
)


# Demo products shown in a status other than ON_SALE.
DEMO_STATUS = {"FD-30D-NEWYEAR": "SOLD_OUT"}


async def seed_products() -> str:
    created = 0
    for product in DEMO_PRODUCTS:
        if await WealthProduct.filter(code=product.code).exists():
            continue
        made = await create_product(product, actor_id=None)
        if product.code in DEMO_STATUS:
            await set_status(made.id, DEMO_STATUS[product.code], actor_id=None)
        created += 1
    return f"{created} wealth products added ({len(DEMO_PRODUCTS) - created} already present)"
