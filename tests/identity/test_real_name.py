"""Real-name verification (8.1.2): submission with optional photos, staff review, masking."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from stdnum.cn import ric

from app import clock, crypto, runtime
from app.identity import id_photos
from models import AuditRecord, User
from models.identity import RealNameReview
from schema.node import to_global_id
from tests.factories import make_staff, make_user, next_id_number, token_for
from tests.harness.graphql import user_error_codes
from tests.identity.helpers import VIEWER, sandbox_texts

SUBMIT = """
mutation($input: SubmitRealNameInput!) { submitRealNameVerification(input: $input) {
  user { realNameStatus realName idNumber } errors { code message field } } }"""
QUEUE = "{ realNameReviewQueue { id realName idNumber status photoUrls createdAt user { id phone } } }"
REVIEW = """
mutation($input: ReviewRealNameInput!) { reviewRealNameVerification(input: $input) {
  user { id realNameStatus realName idNumber } errors { code message field } } }"""

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0" + bytes(64)


async def _submit(gql, user, name: str = "李小龙", number: str | None = None) -> dict:
    data = {"realName": name, "idNumber": number or next_id_number("19900101")}
    return await gql.mutate(SUBMIT, {"input": data}, token=token_for(user))


async def _submit_multipart(http, user, files: dict[str, tuple[str, bytes, str]], number: str | None = None):
    """A GraphQL multipart request (the upload spec) with the given input fields as files."""
    variables = {"input": {"realName": "李小龙", "idNumber": number or next_id_number("19900101"),
                           **{field: None for field in files}}}
    operations = json.dumps({"query": SUBMIT, "variables": variables})
    mapping = json.dumps({str(i): [f"variables.input.{field}"] for i, field in enumerate(files)})
    multipart = {str(i): spec for i, spec in enumerate(files.values())}
    response = await http.post(
        "/graphql", data={"operations": operations, "map": mapping}, files=multipart,
        headers={"Authorization": f"Bearer {token_for(user)}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]["submitRealNameVerification"]


def _stored_files() -> set[str]:
    uploads = runtime.settings().data_dir / "uploads"
    return {str(p) for p in uploads.rglob("*") if p.is_file()} if uploads.exists() else set()


async def _review_id(user) -> str:
    review = await RealNameReview.get(user_id=user.id, status="PENDING")
    return to_global_id("RealNameReview", review.id)


async def test_submit_makes_the_user_pending_with_masked_identity(gql):
    user = await make_user(verified=False)
    number = next_id_number("19900101")
    payload = await _submit(gql, user, number=number.lower())
    assert payload["errors"] == []
    assert payload["user"] == {
        "realNameStatus": "PENDING", "realName": "李**", "idNumber": number[:4] + "*" * 10 + number[-4:],
    }
    row = await User.get(id=user.id)
    assert number not in row.id_number_enc and "李小龙" not in row.real_name_enc
    assert crypto.decrypt(row.id_number_enc) == number
    assert row.id_number_index is None  # only a verified identity claims the number
    assert await AuditRecord.filter(action="real_name.submit", actor_id=user.id).exists()


@pytest.mark.parametrize(
    "number",
    [
        "110105199001011230",  # checksum wrong (unless it happens to be right: checked below)
        "11010519900101123",  # too short
        "1101051990010112345",  # too long
        "11010519901301123X",  # month 13
        "110105199002301234",  # 30 February
        "ABCDEF199001011234",
    ],
)
async def test_invalid_id_numbers(gql, number):
    user = await make_user(verified=False)
    if len(number) == 18 and number[:17].isdigit():
        # Make the checksum deliberately wrong.
        right = ric.calc_check_digit(number[:17]) if number[10:12] != "13" and number[10:14] != "0230" else None
        if right is not None:
            number = number[:17] + ("1" if right != "1" else "2")
    payload = await _submit(gql, user, number=number)
    assert user_error_codes(payload) == ["INVALID_ID_NUMBER"]
    assert payload["errors"][0]["field"] == ["input", "idNumber"]
    assert (await User.get(id=user.id)).real_name_status == "UNVERIFIED"


async def test_birth_date_in_the_future_is_invalid(gql):
    user = await make_user(verified=False)
    tomorrow = (clock.now() + timedelta(days=2)).strftime("%Y%m%d")
    assert user_error_codes(await _submit(gql, user, number=next_id_number(tomorrow))) == ["INVALID_ID_NUMBER"]


async def test_name_must_look_like_a_name(gql):
    user = await make_user(verified=False)
    for name in ["", "李", "李4龙", "<script>"]:
        assert user_error_codes(await _submit(gql, user, name=name)) == ["VALIDATION_FAILED"], name


async def test_an_id_number_verified_on_another_user_is_refused(gql):
    number = next_id_number("19800101")
    await make_user(id_number=number)
    user = await make_user(verified=False)
    payload = await _submit(gql, user, number=number)
    assert user_error_codes(payload) == ["INVALID_ID_NUMBER"]


async def test_no_second_submission_while_pending_or_after_verification(gql):
    pending = await make_user(verified=False)
    assert (await _submit(gql, pending))["errors"] == []
    assert user_error_codes(await _submit(gql, pending)) == ["INVALID_STATE"]
    verified = await make_user()
    assert user_error_codes(await _submit(gql, verified)) == ["INVALID_STATE"]


async def test_photos_are_uploaded_checked_by_content_and_encrypted(gql, http):
    user = await make_user(verified=False)
    payload = await _submit_multipart(http, user, {
        "idCardFront": ("front.png", PNG, "image/png"),
        "selfieWithIdCard": ("selfie.jpg", JPEG, "image/jpeg"),
    })
    assert payload["errors"] == [], payload
    review = await RealNameReview.get(user_id=user.id)
    assert review.id_card_back_path is None
    stored = runtime.settings().data_dir / "uploads" / review.id_card_front_path
    assert stored.exists() and PNG not in stored.read_bytes()
    assert id_photos.load(review.id_card_front_path) == (PNG, "png")
    assert id_photos.load(review.selfie_path) == (JPEG, "jpeg")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (("front.png", b"%PDF-1.7 not an image", "image/png"), "格式"),
        (("front.jpg", JPEG + bytes(id_photos.MAX_BYTES), "image/jpeg"), "5 MB"),
    ],
)
async def test_non_images_and_large_files_are_refused(gql, http, spec, message):
    user = await make_user(verified=False)
    files_before = _stored_files()
    payload = await _submit_multipart(http, user, {"idCardFront": spec})
    assert user_error_codes(payload) == ["VALIDATION_FAILED"]
    assert payload["errors"][0]["field"] == ["input", "idCardFront"]
    assert message in payload["errors"][0]["message"]
    assert await RealNameReview.all().count() == 0
    assert _stored_files() == files_before


async def test_review_queue_is_staff_only(gql):
    user = await make_user(verified=False)
    await _submit(gql, user)
    assert (await gql(QUEUE)).error_codes() == ["UNAUTHENTICATED"]
    assert (await gql(QUEUE, token=token_for(user))).error_codes() == ["FORBIDDEN"]
    for role in ("SUPPORT", "RISK_OFFICER", "ADMIN"):
        staff = await make_staff(role)
        queue = (await gql.ok(QUEUE, token=token_for(staff)))["realNameReviewQueue"]
        assert len(queue) == 1
        assert queue[0]["realName"] == "李**" and queue[0]["status"] == "PENDING"
        assert queue[0]["idNumber"].count("*") == 10
        assert queue[0]["user"]["phone"] == f"{user.phone[:3]}****{user.phone[-4:]}"


async def test_approval_verifies_the_user(gql, http):
    user = await make_user(verified=False, pin=None)
    number = next_id_number("19900101")
    await _submit(gql, user, number=number)
    staff = await make_staff("SUPPORT")
    payload = await gql.mutate(REVIEW, {"input": {"reviewId": await _review_id(user), "approve": True}},
                               token=token_for(staff))
    assert payload["errors"] == []
    assert payload["user"]["realNameStatus"] == "VERIFIED"
    row = await User.get(id=user.id)
    assert row.birth_date == date(1990, 1, 1)
    assert row.id_number_index == crypto.blind_index(number, "id_number")
    assert (await gql.ok(QUEUE, token=token_for(staff)))["realNameReviewQueue"] == []
    record = await AuditRecord.get(action="real_name.review")
    assert (record.actor_id, record.subject_user_id, record.details["approved"]) == (staff.id, user.id, True)
    assert "通过" in (await sandbox_texts(http, user.phone))[0]["text"]
    # Deciding twice is refused.
    again = await gql.mutate(REVIEW, {"input": {"reviewId": to_global_id("RealNameReview", record.details["reviewId"]),
                                                "approve": False, "note": "重复"}}, token=token_for(staff))
    assert user_error_codes(again) == ["INVALID_STATE"]


async def test_rejection_needs_a_note_and_lets_the_user_try_again(gql, http):
    user = await make_user(verified=False)
    await _submit(gql, user)
    staff = await make_staff("RISK_OFFICER")
    review_id = await _review_id(user)
    without_note = await gql.mutate(REVIEW, {"input": {"reviewId": review_id, "approve": False}}, token=token_for(staff))
    assert user_error_codes(without_note) == ["VALIDATION_FAILED"]
    payload = await gql.mutate(REVIEW, {"input": {"reviewId": review_id, "approve": False, "note": "照片模糊"}},
                               token=token_for(staff))
    assert payload["user"]["realNameStatus"] == "REJECTED"
    assert "照片模糊" in (await sandbox_texts(http, user.phone))[0]["text"]
    assert (await _submit(gql, user))["user"]["realNameStatus"] == "PENDING"


async def test_the_first_approved_claim_on_a_number_wins(gql):
    number = next_id_number("19850505")
    first, second = await make_user(verified=False), await make_user(verified=False)
    await _submit(gql, first, number=number)
    await _submit(gql, second, number=number)
    staff = await make_staff("ADMIN")
    ok = await gql.mutate(REVIEW, {"input": {"reviewId": await _review_id(first), "approve": True}}, token=token_for(staff))
    assert ok["errors"] == []
    refused = await gql.mutate(REVIEW, {"input": {"reviewId": await _review_id(second), "approve": True}},
                               token=token_for(staff))
    assert user_error_codes(refused) == ["INVALID_ID_NUMBER"]
    assert (await User.get(id=second.id)).real_name_status == "PENDING"


async def test_review_permissions_and_unknown_reviews(gql):
    user = await make_user(verified=False)
    await _submit(gql, user)
    data = {"input": {"reviewId": await _review_id(user), "approve": True}}
    assert (await gql(REVIEW, data)).error_codes() == ["UNAUTHENTICATED"]
    assert (await gql(REVIEW, data, token=token_for(user))).error_codes() == ["FORBIDDEN"]
    staff = await make_staff("ADMIN")
    missing = await gql.mutate(REVIEW, {"input": {"reviewId": to_global_id("RealNameReview", 999), "approve": True}},
                               token=token_for(staff))
    assert user_error_codes(missing) == ["NOT_FOUND"]
    wrong_type = await gql.mutate(REVIEW, {"input": {"reviewId": to_global_id("User", user.id), "approve": True}},
                                  token=token_for(staff))
    assert user_error_codes(wrong_type) == ["NOT_FOUND"]


async def test_staff_cannot_review_their_own_submission(gql):
    staff = await make_staff("SUPPORT")
    await _submit(gql, staff)
    payload = await gql.mutate(REVIEW, {"input": {"reviewId": await _review_id(staff), "approve": True}},
                               token=token_for(staff))
    assert user_error_codes(payload) == ["INVALID_STATE"]


async def test_staff_can_view_the_photos_and_nobody_else(gql, http):
    user = await make_user(verified=False)
    await _submit_multipart(http, user, {"idCardBack": ("back.png", PNG, "image/png")})
    staff = await make_staff("SUPPORT")
    (entry,) = (await gql.ok(QUEUE, token=token_for(staff)))["realNameReviewQueue"]
    (url,) = entry["photoUrls"]
    assert url.endswith("/photos/back")
    assert (await http.get(url)).status_code == 401
    assert (await http.get(url, headers={"Authorization": f"Bearer {token_for(user)}"})).status_code == 403
    response = await http.get(url, headers={"Authorization": f"Bearer {token_for(staff)}"})
    assert response.status_code == 200
    assert response.content == PNG and response.headers["content-type"] == "image/png"
    assert await AuditRecord.filter(action="real_name.photo_view", actor_id=staff.id).exists()
    missing = url.replace("/back", "/front")
    assert (await http.get(missing, headers={"Authorization": f"Bearer {token_for(staff)}"})).status_code == 404


async def test_viewer_sees_own_masked_identity_after_approval(gql):
    user = await make_user(verified=False)
    await _submit(gql, user, name="欧阳娜娜")
    staff = await make_staff("ADMIN")
    await gql.mutate(REVIEW, {"input": {"reviewId": await _review_id(user), "approve": True}}, token=token_for(staff))
    viewer = (await gql.ok(VIEWER, token=token_for(user)))["viewer"]
    assert viewer["realNameStatus"] == "VERIFIED" and viewer["realName"] == "欧***"
