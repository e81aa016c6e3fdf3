"""The suitability questionnaire and the risk tolerance it sets."""

from __future__ import annotations

from models import User
from models.wealth import RiskAssessment
from tests.factories import make_user, token_for
from tests.harness.graphql import user_error_codes

QUESTIONNAIRE = "{ riskQuestionnaire { id text options { id text score } } }"

SUBMIT = """
mutation($input: SubmitRiskAssessmentInput!) {
  submitRiskAssessment(input: $input) { riskTolerance errors { code message field } }
}
"""

VIEWER = "{ viewer { riskTolerance } }"


async def _questions(gql) -> list[dict]:  # noqa: ANN001
    return (await gql.ok(QUESTIONNAIRE))["riskQuestionnaire"]


def _answers(questions: list[dict], pick) -> list[dict]:  # noqa: ANN001
    """One answer per question, the option chosen by ``pick(options)``."""
    return [{"questionId": q["id"], "optionId": pick(q["options"])["id"]} for q in questions]


def lowest(options: list[dict]) -> dict:
    return min(options, key=lambda o: o["score"])


def highest(options: list[dict]) -> dict:
    return max(options, key=lambda o: o["score"])


async def test_questionnaire_has_the_five_topics_with_scored_options(gql):
    questions = await _questions(gql)
    ids = [q["id"] for q in questions]
    assert len(questions) >= 5
    for topic in ("experience", "horizon", "loss_tolerance", "income", "goal"):
        assert topic in ids
    for question in questions:
        assert len(question["options"]) >= 3
        assert len({o["id"] for o in question["options"]}) == len(question["options"])
        assert all(isinstance(o["score"], int) and o["score"] > 0 for o in question["options"])
        # Simplified Chinese text (a CJK character in every question).
        assert any("\u4e00" <= ch <= "\u9fff" for ch in question["text"])


async def test_most_cautious_answers_give_c1_and_boldest_give_c5(gql):
    questions = await _questions(gql)
    user = await make_user()
    token = token_for(user)
    assert (await gql.ok(VIEWER, token=token))["viewer"]["riskTolerance"] is None

    payload = await gql.mutate(SUBMIT, {"input": {"answers": _answers(questions, lowest)}}, token=token)
    assert payload == {"riskTolerance": "C1", "errors": []}
    assert (await gql.ok(VIEWER, token=token))["viewer"]["riskTolerance"] == "C1"

    payload = await gql.mutate(SUBMIT, {"input": {"answers": _answers(questions, highest)}}, token=token)
    assert payload["riskTolerance"] == "C5"
    assert (await User.get(id=user.id)).risk_tolerance == "C5"
    assessments = await RiskAssessment.filter(user_id=user.id).order_by("id")
    assert [a.tolerance for a in assessments] == ["C1", "C5"]
    assert assessments[1].score == sum(highest(q["options"])["score"] for q in questions)


async def test_middle_answers_give_a_middle_tolerance(gql):
    questions = await _questions(gql)

    def middle(options: list[dict]) -> dict:
        return sorted(options, key=lambda o: o["score"])[len(options) // 2]

    payload = await gql.mutate(
        SUBMIT, {"input": {"answers": _answers(questions, middle)}}, token=token_for(await make_user())
    )
    assert payload["riskTolerance"] == "C3"


async def test_answers_must_be_exactly_one_valid_option_per_question(gql):
    questions = await _questions(gql)
    user = await make_user()
    token = token_for(user)
    complete = _answers(questions, lowest)
    last = str(len(complete) - 1)
    cases = [
        ([], ["input", "answers"]),
        (complete[:-1], ["input", "answers"]),
        (complete + [complete[0]], ["input", "answers", str(len(complete)), "questionId"]),
        (complete[:-1] + [{"questionId": "shoe_size", "optionId": "42"}], ["input", "answers", last, "questionId"]),
        (
            complete[:-1] + [{"questionId": complete[-1]["questionId"], "optionId": "nope"}],
            ["input", "answers", last, "optionId"],
        ),
        # An option id that exists, but under another question.
        ([{"questionId": "horizon", "optionId": "none"}] + complete[1:], ["input", "answers", "0", "optionId"]),
    ]
    for answers, field in cases:
        payload = await gql.mutate(SUBMIT, {"input": {"answers": answers}}, token=token)
        assert user_error_codes(payload) == ["VALIDATION_FAILED"], answers
        assert payload["errors"][0]["field"] == field
        assert payload["riskTolerance"] is None
    assert (await User.get(id=user.id)).risk_tolerance is None
    assert await RiskAssessment.filter(user_id=user.id).count() == 0


async def test_assessment_needs_a_signed_in_user(gql):
    questions = await _questions(gql)
    result = await gql(SUBMIT, {"input": {"answers": _answers(questions, lowest)}})
    assert result.error_codes() == ["UNAUTHENTICATED"]
