// The "get a code" button next to a verification-code input.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { mutate, USER_ERROR } from "./api.js";
import { field, showErrors, showException } from "./forms.js";
import { showLatestMessage } from "./sandbox.js";

const REQUEST_CODE = `mutation RequestCode($input: RequestVerificationCodeInput!) {
  requestVerificationCode(input: $input) { sent retryAfterSeconds ${USER_ERROR} }
}`;

/** Ask for a code; returns the payload (errors included). */
export async function requestCode(recipient, purpose) {
  const payload = await mutate("requestVerificationCode", REQUEST_CODE, { recipient, purpose });
  if (payload.sent) showLatestMessage(recipient);
  return payload;
}

/**
 * A verification-code field with its send button.
 * getRecipient(form) returns the phone/email or null (then `recipientField` is blamed).
 */
export function codeField(purpose, getRecipient, { name = "verificationCode", recipientField = "phone" } = {}) {
  const button = h("button", { type: "button", class: "secondary", testid: `send-code-${name}` }, t("code.send"));
  const wrapper = h("div", { class: "code-row" }, field(name, t("code.label"), { inputmode: "numeric", maxlength: 6, placeholder: "000000" }), button);
  button.addEventListener("click", async () => {
    const form = button.closest("form");
    const recipient = getRecipient(form);
    if (!recipient) {
      showErrors(form, [{ code: "VALIDATION_FAILED", message: "", field: ["input", recipientField] }]);
      return;
    }
    button.disabled = true;
    try {
      const payload = await requestCode(recipient, purpose);
      if (payload.errors.length) {
        showErrors(form, payload.errors.map((e) => ({ ...e, field: e.field && e.field.at(-1) === "recipient" ? ["input", recipientField] : e.field })));
        button.disabled = false;
        return;
      }
      countdown(button, payload.retryAfterSeconds || 60);
    } catch (error) {
      showException(form, error);
      button.disabled = false;
    }
  });
  return wrapper;
}

function countdown(button, seconds) {
  let left = seconds;
  button.disabled = true;
  const tick = () => {
    if (!button.isConnected || left <= 0) {
      button.disabled = false;
      button.textContent = t("code.send");
      return;
    }
    button.textContent = t("code.resend", { seconds: left });
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}
