"""FAQ (seed 8.1) and contact channels (8.2): public, shipped as data, searchable in either script."""

from __future__ import annotations

import json

from app import runtime
from app.demo import seed
from app.support.faq import DATA_FILE, load_shipped_faq
from models.support import FaqEntry
from tests.factories import make_user, token_for

FAQ = "query($search: String) { faq(search: $search) { id question answer category } }"

SEED_QUESTIONS = (
    "如何注册电子支付平台账户？",
    "如何进行实名认证？",
    "如何充值？",
    "如何进行支付？",
    "如何查询交易记录？",
)


async def _questions(gql, search=None, **kwargs) -> list[str]:  # noqa: ANN001
    data = await gql.ok(FAQ, {"search": search}, **kwargs)
    return [entry["question"] for entry in data["faq"]]


async def test_faq_lists_every_shipped_entry_without_signing_in(gql):
    data = await gql.ok(FAQ)
    entries = data["faq"]
    shipped = json.loads(DATA_FILE.read_text(encoding="utf-8"))["entries"]
    assert [e["question"] for e in entries] == [e["question"] for e in shipped]
    assert len(entries) >= 12
    for question in SEED_QUESTIONS:
        assert question in [e["question"] for e in entries]
    assert all(e["answer"] and e["category"] for e in entries)
    assert len({e["id"] for e in entries}) == len(entries)


async def test_faq_covers_the_platform_rules(gql):
    text = "\n".join(e["question"] + e["answer"] for e in (await gql.ok(FAQ))["faq"])
    for fact in ("10.00 元", "50.00 元", "0.5%", "1%", "三个月", "3 个工作日", "原路返回",
                 "6 位数字", "5 次", "24 小时", "冻结", "R1 至 R5", "C1"):
        assert fact in text, fact


def _shipped_containing(*words: str) -> list[str]:
    """Questions of the shipped entries whose Simplified text holds every word (computed here)."""
    entries = json.loads(DATA_FILE.read_text(encoding="utf-8"))["entries"]
    return [e["question"] for e in entries if all(w in e["question"] + e["answer"] for w in words)]


async def test_search_in_simplified_matches_question_and_answer(gql):
    expected = _shipped_containing("实名认证")
    assert "如何进行实名认证？" in expected
    assert 1 < len(expected) < len(SEED_QUESTIONS) + 10
    assert await _questions(gql, "实名认证") == expected


async def test_search_in_traditional_finds_the_simplified_entries(gql):
    assert await _questions(gql, "實名認證") == _shipped_containing("实名认证")
    assert await _questions(gql, "提現手續費") == ["提现手续费是多少？多久到账？"]


async def test_search_matches_answer_only_text_in_both_scripts(gql):
    # Only the answer of the refund-time entry says when the review finishes.
    expected = ["退款申请多久审核？钱退到哪里？"]
    assert _shipped_containing("3 个工作日内完成审核") == expected
    assert await _questions(gql, "3 个工作日内完成审核") == expected
    assert await _questions(gql, "個工作日內完成審核") == expected


async def test_search_words_must_all_match(gql):
    assert await _questions(gql, "支付密碼 鎖定") == ["支付密码有什么要求？输错了会怎样？"]
    assert await _questions(gql, "支付密码 比特币") == []


async def test_search_with_no_match_is_empty_and_signed_in_users_see_the_same(gql):
    assert await _questions(gql, "比特币") == []
    user = await make_user()
    signed_in = await _questions(gql, "實名認證", token=token_for(user))
    assert signed_in == await _questions(gql, "實名認證")


async def test_overlong_search_is_refused(gql):
    result = await gql(FAQ, {"search": "充" * 101})
    assert result.error_codes() == ["VALIDATION_FAILED"]


async def test_loading_the_faq_again_changes_nothing():
    before = await FaqEntry.all().count()
    assert before == len(json.loads(DATA_FILE.read_text(encoding="utf-8"))["entries"])
    assert await load_shipped_faq() == (0, 0)
    assert await FaqEntry.all().count() == before


async def test_seed_demo_restores_the_faq(gql):
    await FaqEntry.filter(key="account-frozen").delete()
    await FaqEntry.filter(key="how-to-pay").update(answer="过时的答案", search_text="过时的答案")
    lines = await seed()
    assert any(line.startswith("faq: ") and "(1 new, 1 updated)" in line for line in lines), lines
    assert await _questions(gql, "账户被冻结") == ["账户被冻结了怎么办？"]
    assert await _questions(gql, "过时的答案") == []


async def test_contact_channels_come_from_settings(gql):
    data = await gql.ok("{ contactChannels { kind label value description } }")
    settings = runtime.settings()
    by_kind = {c["kind"]: c for c in data["contactChannels"]}
    assert set(by_kind) == {"PHONE", "ONLINE_CHAT", "EMAIL", "OFFICIAL_ACCOUNT"}
    assert by_kind["PHONE"]["value"] == settings.contact_phone
    assert by_kind["EMAIL"]["value"] == settings.contact_email
    assert by_kind["ONLINE_CHAT"]["value"] == settings.contact_chat_url
    assert by_kind["OFFICIAL_ACCOUNT"]["value"] == settings.contact_official_account
    assert by_kind["PHONE"]["label"] == "电话客服"
