"""The suitability questionnaire and the risk tolerance (C1-C5) it gives.

Each question has scored options (1 = most cautious); the total score maps to a
tolerance. A product of level Rn may be bought with tolerance Cn or higher.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import User
from models.wealth import RiskAssessment

from .. import audit, db
from ..errors import DomainError, ErrorCode, input_field


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    score: int


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[Option, ...]


QUESTIONNAIRE: tuple[Question, ...] = (
    Question(
        "experience",
        "您有多少年投资股票、基金、债券等金融产品的经验？",
        (
            Option("none", "没有经验，只存过银行存款", 1),
            Option("under_2y", "不到 2 年", 2),
            Option("2_to_5y", "2 到 5 年", 3),
            Option("5_to_10y", "5 到 10 年", 4),
            Option("over_10y", "10 年以上", 5),
        ),
    ),
    Question(
        "horizon",
        "您计划的投资期限是多长？",
        (
            Option("under_3m", "3 个月以内，随时可能用钱", 1),
            Option("3m_to_1y", "3 个月到 1 年", 2),
            Option("1y_to_3y", "1 到 3 年", 3),
            Option("3y_to_5y", "3 到 5 年", 4),
            Option("over_5y", "5 年以上", 5),
        ),
    ),
    Question(
        "loss_tolerance",
        "您能承受的最大本金亏损是多少？",
        (
            Option("none", "不能接受任何本金亏损", 1),
            Option("under_5", "5% 以内", 2),
            Option("5_to_15", "5% 到 15%", 3),
            Option("15_to_30", "15% 到 30%", 4),
            Option("over_30", "30% 以上", 5),
        ),
    ),
    Question(
        "income",
        "您的家庭年收入大约是多少？",
        (
            Option("under_50k", "5 万元以下", 1),
            Option("50k_to_150k", "5 万到 15 万元", 2),
            Option("150k_to_500k", "15 万到 50 万元", 3),
            Option("500k_to_1m", "50 万到 100 万元", 4),
            Option("over_1m", "100 万元以上", 5),
        ),
    ),
    Question(
        "goal",
        "您投资的主要目标是什么？",
        (
            Option("preserve", "保本为主，资金安全最重要", 1),
            Option("steady", "获得稳定收益，略高于存款即可", 2),
            Option("balanced", "收益与风险兼顾", 3),
            Option("growth", "追求较高收益，可接受一定波动", 4),
            Option("aggressive", "追求高收益，愿意承担较大风险", 5),
        ),
    ),
    Question(
        "share_of_assets",
        "您打算用于投资的资金占家庭金融资产的比例是多少？",
        (
            Option("under_10", "10% 以下", 5),
            Option("10_to_30", "10% 到 30%", 4),
            Option("30_to_50", "30% 到 50%", 3),
            Option("50_to_70", "50% 到 70%", 2),
            Option("over_70", "70% 以上", 1),
        ),
    ),
)

# Total score (6-30) -> tolerance: the upper bound of each band.
TOLERANCE_BANDS: tuple[tuple[int, str], ...] = ((10, "C1"), (15, "C2"), (20, "C3"), (25, "C4"), (30, "C5"))


def tolerance_for(score: int) -> str:
    for upper, tolerance in TOLERANCE_BANDS:
        if score <= upper:
            return tolerance
    return TOLERANCE_BANDS[-1][1]


def may_buy(tolerance: str | None, risk_level: str) -> bool:
    """Tolerance Cn covers products up to Rn; no assessment covers nothing."""
    if tolerance is None:
        return False
    return int(tolerance[1:]) >= int(risk_level[1:])


def score_answers(answers: list[tuple[str, str]]) -> tuple[int, dict[str, str]]:
    """Exactly one known option for every question, or VALIDATION_FAILED naming the answer at fault."""
    questions = {q.id: q for q in QUESTIONNAIRE}
    chosen: dict[str, str] = {}
    total = 0
    for index, (question_id, option_id) in enumerate(answers):
        question = questions.get(question_id)
        if question is None:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, "问卷中没有这道题", ("input", "answers", str(index), "questionId")
            )
        if question_id in chosen:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, "每道题只能选择一个答案", ("input", "answers", str(index), "questionId")
            )
        option = next((o for o in question.options if o.id == option_id), None)
        if option is None:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, "该题没有这个选项", ("input", "answers", str(index), "optionId")
            )
        chosen[question_id] = option_id
        total += option.score
    missing = [q.id for q in QUESTIONNAIRE if q.id not in chosen]
    if missing:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, f"还有 {len(missing)} 道题未作答，请完成全部题目", input_field("answers")
        )
    return total, chosen


async def submit_assessment(user: User, answers: list[tuple[str, str]], *, ip: str | None = None) -> str:
    """Score the answers, keep the assessment and set the user's tolerance; returns it (C1-C5)."""
    score, chosen = score_answers(answers)
    tolerance = tolerance_for(score)
    async with db.atomic() as conn:
        await RiskAssessment.create(user_id=user.id, answers=chosen, score=score, tolerance=tolerance, using_db=conn)
        await User.filter(id=user.id).using_db(conn).update(risk_tolerance=tolerance)
        await audit.record(
            "RISK_ASSESSMENT", actor_id=user.id, ip=ip, details={"score": score, "tolerance": tolerance}, conn=conn
        )
    return tolerance
