// The suitability questionnaire; its answers set the user's risk tolerance (C1-C5).

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { gql, mutate, USER_ERROR } from "../api.js";
import { form, submit, succeeded, notice, showErrors } from "../forms.js";

const QUESTIONS = `query Questionnaire { riskQuestionnaire { id text options { id text score } } }`;
const SUBMIT = `mutation Assess($input: SubmitRiskAssessmentInput!) { submitRiskAssessment(input: $input) { riskTolerance ${USER_ERROR} } }`;

/** The questionnaire card; folded away behind "retake" once a tolerance is known. */
export async function quizCard(onTolerance, { folded = false } = {}) {
  let questions;
  try {
    questions = (await gql(QUESTIONS)).riskQuestionnaire;
  } catch {
    return h("div", { class: "card" }, h("h2", {}, t("quiz.title")), h("p", { class: "muted" }, t("common.unavailable")));
  }
  const quiz = form("risk-quiz", async (values, el) => {
    const missing = questions.filter((question) => !values[`q-${question.id}`]);
    if (missing.length) {
      showErrors(el, missing.map((question) => ({ code: "VALIDATION_FAILED", message: "", field: ["input", `q-${question.id}`] })));
      return;
    }
    const answers = questions.map((question) => ({ questionId: question.id, optionId: values[`q-${question.id}`] }));
    const payload = await mutate("submitRiskAssessment", SUBMIT, { answers });
    if (!succeeded(el, payload)) return;
    onTolerance(payload.riskTolerance);
    el.querySelector(".form-error").after(notice(t("quiz.result", { tolerance: payload.riskTolerance }), "quiz-result"));
  },
    questions.map((question, index) => h("fieldset", { class: "question", testid: "quiz-question" },
      h("legend", {}, `${index + 1}. ${question.text}`),
      question.options.map((option) => h("label", { class: "choice" },
        h("input", { type: "radio", name: `q-${question.id}`, value: option.id, testid: `quiz-${question.id}-${option.id}` }), " ", option.text)),
      h("small", { class: "field-error", dataset: { errorFor: `q-${question.id}` } }))),
    h("div", { class: "actions" }, submit(t("quiz.submit"), "quiz-submit")));
  const body = [h("p", { class: "muted" }, t("quiz.intro")), quiz];
  if (folded) {
    return h("details", { class: "card", testid: "quiz-card" }, h("summary", {}, h("strong", {}, t("quiz.title")), " · ", t("quiz.retake")), body);
  }
  return h("div", { class: "card", testid: "quiz-card" }, h("h2", {}, t("quiz.title")), body);
}
