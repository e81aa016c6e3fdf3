"""Object-level access to users (node, viewer) and what no output may ever contain."""

from __future__ import annotations

import json

from app.identity.passwords import hash_password
from models import User
from models.identity import RealNameReview
from schema.node import to_global_id
from tests.factories import make_staff, make_user, next_id_number, token_for
from tests.identity.helpers import login, register

USER_FIELDS = """
  ... on User { id phone email realName idNumber realNameStatus roles status hasPaymentPassword
                securityQuestionCount riskTolerance createdAt }"""
NODE = "query($id: ID!) { node(id: $id) { id " + USER_FIELDS + " } }"
VIEWER_ALL = "{ viewer { " + USER_FIELDS + " } }"
QUEUE = "{ realNameReviewQueue { id realName idNumber status user { id phone email realName idNumber } } }"
SUBMIT = """
mutation($input: SubmitRealNameInput!) { submitRealNameVerification(input: $input) {
  user { id phone realName idNumber } errors { code } } }"""
REVIEW_NODE = "query($id: ID!) { node(id: $id) { id ... on RealNameReview { realName idNumber } } }"


async def test_node_user_is_for_self_and_staff_only(gql):
    owner, other = await make_user(), await make_user()
    staff = await make_staff("SUPPORT")
    owner_id = to_global_id("User", owner.id)
    assert (await gql.ok(NODE, {"id": owner_id}, token=token_for(owner)))["node"]["id"] == owner_id
    assert (await gql.ok(NODE, {"id": owner_id}, token=token_for(other)))["node"] is None
    assert (await gql.ok(NODE, {"id": owner_id}))["node"] is None
    assert (await gql.ok(NODE, {"id": owner_id}, token=token_for(staff)))["node"]["id"] == owner_id
    assert (await gql.ok(NODE, {"id": to_global_id("User", 999_999)}, token=token_for(staff)))["node"] is None


async def test_node_real_name_review_is_for_staff_only(gql):
    user = await make_user(verified=False)
    await gql.mutate(SUBMIT, {"input": {"realName": "周杰", "idNumber": next_id_number("19790118")}},
                     token=token_for(user))
    review_id = to_global_id("RealNameReview", (await RealNameReview.get()).id)
    assert (await gql.ok(REVIEW_NODE, {"id": review_id}, token=token_for(user)))["node"] is None
    staff = await make_staff("RISK_OFFICER")
    node = (await gql.ok(REVIEW_NODE, {"id": review_id}, token=token_for(staff)))["node"]
    assert node["realName"] == "周*"


async def test_email_is_full_for_its_owner_and_masked_for_staff(gql):
    owner = await make_user(email="chen.jing@example.com")
    staff = await make_staff("ADMIN")
    owner_id = to_global_id("User", owner.id)
    assert (await gql.ok(NODE, {"id": owner_id}, token=token_for(owner)))["node"]["email"] == "chen.jing@example.com"
    assert (await gql.ok(NODE, {"id": owner_id}, token=token_for(staff)))["node"]["email"] == "c***@example.com"


async def test_no_output_contains_a_full_phone_id_number_or_password_hash(gql):
    """Every identity read path, as every kind of caller: nothing sensitive comes out whole."""
    numbers = [next_id_number("19870212"), next_id_number("19920930")]
    alice = await make_user(email="alice@example.com", id_number=numbers[0], real_name="王小明")
    bob = await make_user(email="bob@example.com", verified=False)
    carol = await make_user(verified=False)
    await gql.mutate(SUBMIT, {"input": {"realName": "刘德华", "idNumber": numbers[1]}}, token=token_for(carol))
    staff = await make_staff("ADMIN")
    await User.filter(id=staff.id).update(password_hash=hash_password("Staff#pass913"))
    everyone = [alice, bob, carol, staff]
    outputs: list[object] = []
    seen_by: dict[int, str] = {}
    registered = await register(gql, email="dave@example.com")
    outputs.append(registered)
    dave = await User.get(email="dave@example.com")
    everyone.append(dave)
    outputs.append(await login(gql, alice.phone))
    outputs.append(await login(gql, "alice@example.com", "Wrong!pass99"))
    for viewer in everyone:
        token = token_for(viewer)
        own = [await gql(VIEWER_ALL, token=token), await gql(QUEUE, token=token)]
        for subject in everyone:
            own.append(await gql(NODE, {"id": to_global_id("User", subject.id)}, token=token))
        seen_by[viewer.id] = json.dumps(own, ensure_ascii=False)
        outputs.extend(own)
    text = json.dumps(outputs, ensure_ascii=False)
    rows = await User.all()
    for row in rows:
        assert row.phone not in text, row.phone
        assert row.password_hash not in text
        if row.payment_password_hash:
            assert row.payment_password_hash not in text
    for number in numbers:
        assert number not in text and number[6:14] not in text
    assert "$argon2" not in text
    assert "王小明" not in text and "刘德华" not in text
    # Each owner sees their own address; nobody else (staff included) sees it whole.
    for viewer in everyone:
        for other in everyone:
            if other.email and other.id != viewer.id:
                assert other.email not in seen_by[viewer.id]
    assert "alice@example.com" in seen_by[alice.id]
