"""createMerchant, merchant(merchantNo), User.merchant, node(Merchant), demo merchants."""

from __future__ import annotations

from app.payments import demo
from models import Account, AuditRecord, Merchant, User
from schema.node import to_global_id
from tests.factories import make_merchant, make_staff, make_user, token_for

CREATE = """
mutation($input: CreateMerchantInput!) { createMerchant(input: $input) {
  merchant { id merchantNo name category account { accountNo available } }
  errors { code field }
} }"""

BY_NO = """query($no: String!) { merchant(merchantNo: $no) { id name category account { accountNo } } }"""


async def test_admin_creates_a_merchant_whose_owner_gains_the_merchant_role(gql):
    admin = await make_staff("ADMIN")
    owner = await make_user()
    payload = await gql.mutate(
        CREATE, {"input": {"name": " 街角咖啡 ", "category": "餐饮", "ownerPhone": owner.phone}}, token=token_for(admin)
    )
    assert payload["errors"] == []
    created = payload["merchant"]
    assert created["name"] == "街角咖啡" and created["category"] == "餐饮"
    assert created["merchantNo"].startswith("M") and len(created["merchantNo"]) == 13
    assert created["account"]["available"] == "0.00"  # staff see the merchant account

    merchant = await Merchant.get(merchant_no=created["merchantNo"])
    account = await Account.get(id=merchant.account_id)
    assert account.kind == "MERCHANT" and merchant.owner_id == owner.id
    assert "MERCHANT" in (await User.get(id=owner.id)).role_set
    assert await AuditRecord.filter(action="MERCHANT_CREATED", actor_id=admin.id, subject_user_id=owner.id).exists()

    seen = await gql.ok("{ viewer { roles merchant { merchantNo account { accountNo } } } }", token=token_for(owner))
    assert "MERCHANT" in seen["viewer"]["roles"]
    assert seen["viewer"]["merchant"] == {"merchantNo": created["merchantNo"], "account": {"accountNo": account.account_no}}


async def test_only_admins_create_merchants(gql):
    owner = await make_user()
    variables = {"input": {"name": "店", "category": "餐饮", "ownerPhone": owner.phone}}
    anonymous = await gql(CREATE, variables)
    assert anonymous.error_codes() == ["UNAUTHENTICATED"]
    for role in ("SUPPORT", "RISK_OFFICER"):
        refused = await gql(CREATE, variables, token=token_for(await make_staff(role)))
        assert refused.error_codes() == ["FORBIDDEN"]
    refused = await gql(CREATE, variables, token=token_for(owner))
    assert refused.error_codes() == ["FORBIDDEN"]
    assert await Merchant.all().count() == 0


async def test_create_merchant_refusals(gql):
    admin = await make_staff("ADMIN")
    owner = await make_user()
    token = token_for(admin)

    async def codes(name: str, category: str, phone: str) -> list[tuple[str, list[str]]]:
        payload = await gql.mutate(CREATE, {"input": {"name": name, "category": category, "ownerPhone": phone}}, token=token)
        return [(e["code"], e["field"]) for e in payload["errors"]]

    assert await codes("店", "餐饮", "13999999999") == [("NOT_FOUND", ["input", "ownerPhone"])]
    assert await codes("  ", "餐饮", owner.phone) == [("VALIDATION_FAILED", ["input", "name"])]
    assert await codes("店", "", owner.phone) == [("VALIDATION_FAILED", ["input", "category"])]
    assert await codes("店" * 101, "餐饮", owner.phone) == [("VALIDATION_FAILED", ["input", "name"])]
    assert await Merchant.all().count() == 0
    assert await codes("店", "餐饮", owner.phone) == []
    assert await codes("第二家店", "餐饮", owner.phone) == [("VALIDATION_FAILED", ["input", "ownerPhone"])]
    assert await Merchant.all().count() == 1
    assert await Account.filter(kind="MERCHANT").count() == 1


async def test_merchant_lookup_shows_the_account_to_owner_and_staff_only(gql):
    merchant, owner = await make_merchant("面馆")
    stranger = await make_user()
    support = await make_staff("SUPPORT")
    variables = {"no": merchant.merchant_no}

    public = await gql.ok(BY_NO, variables)
    assert public["merchant"]["name"] == "面馆" and public["merchant"]["account"] is None
    assert (await gql.ok(BY_NO, variables, token=token_for(stranger)))["merchant"]["account"] is None
    account = await Account.get(id=merchant.account_id)
    for viewer in (owner, support):
        seen = await gql.ok(BY_NO, variables, token=token_for(viewer))
        assert seen["merchant"]["account"] == {"accountNo": account.account_no}
    assert (await gql.ok(BY_NO, {"no": "M404"}))["merchant"] is None
    assert (await gql.ok("{ viewer { merchant { id } } }", token=token_for(stranger)))["viewer"]["merchant"] is None


async def test_node_returns_a_merchant_to_its_owner_and_staff_only(gql):
    merchant, owner = await make_merchant()
    query = """query($id: ID!) { node(id: $id) { ... on Merchant { merchantNo } } }"""
    variables = {"id": to_global_id("Merchant", merchant.id)}
    for viewer in (owner, await make_staff("RISK_OFFICER")):
        assert (await gql.ok(query, variables, token=token_for(viewer)))["node"] == {"merchantNo": merchant.merchant_no}
    assert (await gql.ok(query, variables, token=token_for(await make_user())))["node"] is None
    assert (await gql.ok(query, variables))["node"] is None


async def test_demo_seed_adds_four_merchants_once():
    first = await demo.seed_merchants()
    assert "created 4 merchants" in first
    names = sorted(m.name for m in await Merchant.all())
    assert any("咖啡" in n for n in names) and any("面" in n for n in names) and any("水电" in n for n in names)
    assert "already present" in await demo.seed_merchants()
    assert await Merchant.all().count() == 4
    assert sorted(a.currency for a in await Account.filter(kind="MERCHANT")) == ["CNY", "CNY", "CNY", "JPY"]
    for merchant in await Merchant.all():
        owner = await User.get(id=merchant.owner_id)
        assert "MERCHANT" in owner.role_set
