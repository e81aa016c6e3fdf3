"""The product catalogue: ADMIN creation, filters, Relay pages, lookup, node and demo data."""

from __future__ import annotations

from app.wealth import demo
from models.wealth import WealthProduct
from schema.node import to_global_id
from tests.factories import make_staff, make_user, token_for
from tests.harness.graphql import user_error_codes
from tests.wealth.support import PRODUCT_FIELDS, make_product, product_gid

CREATE = f"""
mutation($input: CreateWealthProductInput!) {{
  createWealthProduct(input: $input) {{ product {{ {PRODUCT_FIELDS} }} errors {{ code message field }} }}
}}
"""

SET_STATUS = """
mutation($input: SetWealthProductStatusInput!) {
  setWealthProductStatus(input: $input) { product { id status } errors { code field } }
}
"""

LIST = """
query($filter: WealthProductFilter, $first: Int, $after: String) {
  wealthProducts(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { code type expectedAnnualReturn termDays riskLevel status minPurchase } }
  }
}
"""


def new_product(**overrides):  # noqa: ANN003, ANN201
    data = {
        "code": "MMF-001",
        "name": "零钱宝",
        "type": "MONEY_MARKET_FUND",
        "expectedAnnualReturn": "1.8",
        "termDays": None,
        "riskLevel": "R1",
        "minPurchase": "1.00",
        "description": "货币基金，随时赎回",
        "riskDisclosure": "理财非存款，投资须谨慎",
    }
    data.update(overrides)
    return data


async def test_admin_creates_a_product_with_a_two_decimal_percent(gql):
    admin = await make_staff("ADMIN")
    payload = await gql.mutate(CREATE, {"input": new_product(code="mmf-001")}, token=token_for(admin))
    assert payload["errors"] == []
    product = payload["product"]
    assert product["code"] == "MMF-001"
    assert product["expectedAnnualReturn"] == "1.80"
    assert product["termDays"] is None
    assert product["status"] == "ON_SALE"
    assert product["minPurchase"] == "1.00"
    stored = await WealthProduct.get(code="MMF-001")
    assert stored.expected_return_bp == 180 and stored.min_purchase == 100


async def test_only_admins_create_products(gql):
    anonymous = await gql(CREATE, {"input": new_product()})
    assert anonymous.error_codes() == ["UNAUTHENTICATED"]
    for who in (await make_user(), await make_staff("SUPPORT"), await make_staff("RISK_OFFICER")):
        result = await gql(CREATE, {"input": new_product()}, token=token_for(who))
        assert result.error_codes() == ["FORBIDDEN"]
    assert await WealthProduct.all().count() == 0


async def test_product_creation_validates_every_field(gql):
    token = token_for(await make_staff("ADMIN"))
    assert (await gql.mutate(CREATE, {"input": new_product()}, token=token))["errors"] == []
    cases = [
        (new_product(), "code"),  # the same code again
        (new_product(code="mmf-001"), "code"),  # the same code, other case
        (new_product(code="x"), "code"),
        (new_product(code="BAD CODE"), "code"),
        (new_product(code="NEW-2", name=" "), "name"),
        (new_product(code="NEW-3", expectedAnnualReturn="3.255"), "expectedAnnualReturn"),
        (new_product(code="NEW-4", expectedAnnualReturn="-1"), "expectedAnnualReturn"),
        (new_product(code="NEW-5", expectedAnnualReturn="1e2"), "expectedAnnualReturn"),
        (new_product(code="NEW-6", expectedAnnualReturn="100.01"), "expectedAnnualReturn"),
        (new_product(code="NEW-7", termDays=0), "termDays"),
        (new_product(code="NEW-8", termDays=3651), "termDays"),
        (new_product(code="NEW-9", minPurchase="-5.00"), "minPurchase"),
        (new_product(code="NEW-10", description=""), "description"),
        (new_product(code="NEW-11", riskDisclosure=" "), "riskDisclosure"),
    ]
    for data, field in cases:
        payload = await gql.mutate(CREATE, {"input": data}, token=token)
        assert payload["product"] is None, data
        assert [e["field"] for e in payload["errors"]] == [["input", field]], (data, payload["errors"])
    assert await WealthProduct.all().count() == 1


async def test_admin_changes_product_status(gql):
    product = await make_product()
    admin = token_for(await make_staff("ADMIN"))
    payload = await gql.mutate(
        SET_STATUS, {"input": {"productId": product_gid(product), "status": "SOLD_OUT"}}, token=admin
    )
    assert payload == {"product": {"id": product_gid(product), "status": "SOLD_OUT"}, "errors": []}
    missing = await gql.mutate(
        SET_STATUS, {"input": {"productId": to_global_id("WealthProduct", 999), "status": "CLOSED"}}, token=admin
    )
    assert user_error_codes(missing) == ["NOT_FOUND"]
    user = await make_user()
    forbidden = await gql(
        SET_STATUS, {"input": {"productId": product_gid(product), "status": "ON_SALE"}}, token=token_for(user)
    )
    assert forbidden.error_codes() == ["FORBIDDEN"]
    assert (await WealthProduct.get(id=product.id)).status == "SOLD_OUT"


async def _catalogue() -> None:
    await make_product(code="MMF", type="MONEY_MARKET_FUND", rate="1.85", term_days=None, risk_level="R1")
    await make_product(code="FD90", type="FIXED_DEPOSIT", rate="2.35", term_days=90, risk_level="R1")
    await make_product(code="FD365", type="FIXED_DEPOSIT", rate="2.75", term_days=365, risk_level="R2")
    await make_product(code="BOND180", type="BOND", rate="3.40", term_days=180, risk_level="R2", status="SOLD_OUT")
    await make_product(code="BONDOPEN", type="BOND", rate="3.90", term_days=None, risk_level="R3")
    await make_product(code="INS", type="INSURANCE", rate="4.50", term_days=1095, risk_level="R4", status="CLOSED")


async def _codes(gql, flt) -> list[str]:  # noqa: ANN001
    data = await gql.ok(LIST, {"filter": flt, "first": 50})
    return [edge["node"]["code"] for edge in data["wealthProducts"]["edges"]]


async def test_filters_narrow_the_catalogue(gql):
    await _catalogue()
    assert await _codes(gql, None) == ["MMF", "FD90", "FD365", "BOND180", "BONDOPEN", "INS"]
    assert await _codes(gql, {"types": ["FIXED_DEPOSIT", "INSURANCE"]}) == ["FD90", "FD365", "INS"]
    assert await _codes(gql, {"minExpectedReturn": "3.4"}) == ["BOND180", "BONDOPEN", "INS"]
    assert await _codes(gql, {"minExpectedReturn": "3.41"}) == ["BONDOPEN", "INS"]
    # Open-ended products can be left any day, so they pass any maximum term.
    assert await _codes(gql, {"maxTermDays": 180}) == ["MMF", "FD90", "BOND180", "BONDOPEN"]
    assert await _codes(gql, {"maxTermDays": 0}) == ["MMF", "BONDOPEN"]
    assert await _codes(gql, {"riskLevels": ["R2", "R4"]}) == ["FD365", "BOND180", "INS"]
    assert await _codes(gql, {"onSaleOnly": True}) == ["MMF", "FD90", "FD365", "BONDOPEN"]
    assert await _codes(gql, {"onSaleOnly": False}) == ["MMF", "FD90", "FD365", "BOND180", "BONDOPEN", "INS"]
    combined = {"types": ["BOND", "FIXED_DEPOSIT"], "minExpectedReturn": "2.50", "maxTermDays": 365, "onSaleOnly": True}
    assert await _codes(gql, combined) == ["FD365", "BONDOPEN"]
    assert await _codes(gql, {"types": []}) == []


async def test_bad_filter_values_are_validation_errors(gql):
    await _catalogue()
    for flt in ({"minExpectedReturn": "abc"}, {"minExpectedReturn": "3.333"}, {"maxTermDays": -1}):
        result = await gql(LIST, {"filter": flt})
        assert result.error_codes() == ["VALIDATION_FAILED"], flt


async def test_catalogue_pages_with_relay_cursors(gql):
    await _catalogue()
    first = (await gql.ok(LIST, {"first": 4}))["wealthProducts"]
    assert first["totalCount"] == 6
    assert [e["node"]["code"] for e in first["edges"]] == ["MMF", "FD90", "FD365", "BOND180"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    second = (await gql.ok(LIST, {"first": 4, "after": first["pageInfo"]["endCursor"]}))["wealthProducts"]
    assert [e["node"]["code"] for e in second["edges"]] == ["BONDOPEN", "INS"]
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True
    filtered = (await gql.ok(LIST, {"filter": {"onSaleOnly": True}, "first": 2}))["wealthProducts"]
    assert filtered["totalCount"] == 4 and len(filtered["edges"]) == 2
    assert (await gql(LIST, {"first": 101})).error_codes() == ["VALIDATION_FAILED"]
    assert (await gql(LIST, {"after": "not-a-cursor"})).error_codes() == ["VALIDATION_FAILED"]


async def test_one_product_by_id_and_by_node_for_anyone(gql):
    product = await make_product(rate="3.2", term_days=30, risk_level="R2", min_purchase=1_000_00)
    query = f"""query($id: ID!) {{
      wealthProduct(id: $id) {{ {PRODUCT_FIELDS} }}
      node(id: $id) {{ ... on WealthProduct {{ code expectedAnnualReturn }} }}
    }}"""
    data = await gql.ok(query, {"id": product_gid(product)})
    assert data["wealthProduct"]["expectedAnnualReturn"] == "3.20"
    assert data["wealthProduct"]["termDays"] == 30
    assert data["wealthProduct"]["riskLevel"] == "R2"
    assert data["wealthProduct"]["minPurchase"] == "1000.00"
    assert data["node"] == {"code": product.code, "expectedAnnualReturn": "3.20"}
    missing = await gql.ok(query, {"id": to_global_id("WealthProduct", product.id + 100)})
    assert missing == {"wealthProduct": None, "node": None}
    wrong_type = await gql.ok(query, {"id": to_global_id("Holding", product.id)})
    assert wrong_type["wealthProduct"] is None


async def test_demo_catalogue_covers_every_type_and_is_idempotent():
    first = await demo.seed_products()
    assert first.startswith(f"{len(demo.DEMO_PRODUCTS)} wealth products added")
    again = await demo.seed_products()
    assert again.startswith("0 wealth products added")
    products = await WealthProduct.all()
    assert len(products) == len(demo.DEMO_PRODUCTS)
    assert {p.type for p in products} == {"FIXED_DEPOSIT", "MONEY_MARKET_FUND", "BOND", "INSURANCE"}
    assert {p.risk_level for p in products} == {"R1", "R2", "R3", "R4", "R5"}
    assert any(p.term_days is None for p in products) and any(p.term_days for p in products)
    assert {p.status for p in products} == {"ON_SALE", "SOLD_OUT"}
