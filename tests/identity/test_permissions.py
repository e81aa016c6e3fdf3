"""Who may call what: user operations need a token, staff operations a staff role."""

from __future__ import annotations

import pytest

from tests.factories import make_staff, make_user, token_for

SIGNED_IN_ONLY = {
    "changePassword": '{oldPassword: "a", newPassword: "b", confirmPassword: "b"}',
    "setPaymentPassword": '{paymentPassword: "280715", confirmPaymentPassword: "280715"}',
    "resetPaymentPassword": '{verificationCode: "123456", paymentPassword: "280715", confirmPaymentPassword: "280715"}',
    "changePhone": '{newPhone: "13912345678", verificationCode: "123456", password: "x"}',
    "setSecurityQuestions": '{questions: [{question: "q", answer: "a"}], password: "x"}',
    "submitRealNameVerification": '{realName: "张三", idNumber: "110105194912311006"}',
    "scanQrLogin": '{payload: "fenpay://qr-login?token=abcdefghijklmnop"}',
    "confirmQrLogin": '{sessionId: "UXJMb2dpblNlc3Npb246MQ", approve: true}',
    "reviewRealNameVerification": '{reviewId: "UmVhbE5hbWVSZXZpZXc6MQ", approve: true}',
}


def _mutation(name: str) -> str:
    return f"mutation {{ {name}(input: {SIGNED_IN_ONLY[name]}) {{ errors {{ code }} }} }}"


@pytest.mark.parametrize("name", sorted(SIGNED_IN_ONLY))
async def test_anonymous_callers_get_unauthenticated(gql, name):
    result = await gql(_mutation(name))
    assert result.error_codes() == ["UNAUTHENTICATED"]
    assert result.data is None or result.data == {}


async def test_staff_operations_are_forbidden_to_users_and_merchants(gql):
    for roles in ("USER", "USER MERCHANT"):
        user = await make_user(roles=roles)
        assert (await gql(_mutation("reviewRealNameVerification"), token=token_for(user))).error_codes() == ["FORBIDDEN"]
        assert (await gql("{ realNameReviewQueue { id } }", token=token_for(user))).error_codes() == ["FORBIDDEN"]


@pytest.mark.parametrize("role", ["SUPPORT", "RISK_OFFICER", "ADMIN"])
async def test_each_staff_role_may_review(gql, role):
    staff = await make_staff(role)
    result = await gql(_mutation("reviewRealNameVerification"), token=token_for(staff))
    assert not result.errors
    assert result.data["reviewRealNameVerification"]["errors"] == [{"code": "NOT_FOUND"}]
