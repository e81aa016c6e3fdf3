// Saved payees (常用收款人: add, list, remove) and recent recipients (derived by the API from
// succeeded transfers) for the transfer screen; picking one fills the recipient with its
// wallet account number.

import { h, fill, formatDateTime } from "./dom.js";
import { t } from "./i18n.js";
import { gql, mutate, USER_ERROR } from "./api.js";
import { field, form, submit, succeeded, fieldError, showException } from "./forms.js";
import { yuan } from "./money.js";

const PAYEE_FIELDS = "id alias name phone accountNo closed createdAt";
const RECENT_COUNT = 5;
const LISTS = `query TransferPicks($first: Int!) {
  payees { ${PAYEE_FIELDS} }
  recentRecipients(first: $first) { name phone accountNo lastAmount lastTransferredAt }
}`;
const ADD = `mutation AddPayee($input: AddPayeeInput!) { addPayee(input: $input) { payee { ${PAYEE_FIELDS} } ${USER_ERROR} } }`;
const REMOVE = `mutation RemovePayee($input: RemovePayeeInput!) { removePayee(input: $input) { ok ${USER_ERROR} } }`;

/**
 * The card of saved and recent recipients: `{ element, reload }`; `onPick(accountNo)` fills the
 * transfer form, `reload()` after a transfer brings its recipient to the top of the recent ones.
 */
export async function payeesCard(onPick) {
  const saved = h("ul", { class: "pick-list", testid: "payee-list" });
  const recent = h("ul", { class: "pick-list", testid: "recent-list" });
  const actionsError = h("div", { class: "form-error", testid: "payees-error", role: "alert" });
  const holder = h("div", {}, actionsError);

  const pickButton = (accountNo, testid) =>
    h("button", { type: "button", class: "secondary", testid, on: { click: () => onPick(accountNo) } }, t("payees.pick"));

  const who = (name, phone) => h("span", { class: "who-name" }, name, phone && phone !== name ? h("span", { class: "muted" }, ` ${phone}`) : null);

  const draw = (data) => {
    fill(saved, data.payees.length ? data.payees.map((payee) => h("li", {
      testid: "payee", dataset: { accountNo: payee.accountNo, id: payee.id, closed: payee.closed ? "yes" : "no" },
    },
      who(payee.alias ? `${payee.alias}（${payee.name}）` : payee.name, payee.phone),
      payee.closed ? h("span", { class: "badge badge-CANCELED" }, t("payees.closed")) : pickButton(payee.accountNo, "payee-pick"),
      h("button", { type: "button", class: "link", testid: "payee-remove", on: { click: () => remove(payee.id) } }, t("payees.remove"))))
      : h("li", { class: "muted", testid: "payee-none" }, t("payees.none")));
    fill(recent, data.recentRecipients.length ? data.recentRecipients.map((r) => h("li", { testid: "recent", dataset: { accountNo: r.accountNo } },
      who(r.name, r.phone),
      h("span", { class: "muted" }, `${yuan(r.lastAmount)} · ${formatDateTime(r.lastTransferredAt)}`),
      pickButton(r.accountNo, "recent-pick"),
      h("button", { type: "button", class: "link", testid: "recent-save", on: { click: () => save(r.accountNo) } }, t("payees.save"))))
      : h("li", { class: "muted", testid: "recent-none" }, t("payees.noRecent")));
  };

  const reload = async () => draw(await gql(LISTS, { first: RECENT_COUNT }));

  const guarded = async (work) => {
    fill(actionsError);
    try {
      await work();
    } catch (error) {
      showException(holder, error);
    }
  };

  const remove = (payeeId) => guarded(async () => {
    const payload = await mutate("removePayee", REMOVE, { payeeId });
    if (succeeded(holder, payload)) await reload();
  });

  const save = (recipient) => guarded(async () => {
    const payload = await mutate("addPayee", ADD, { recipient, alias: null });
    if (succeeded(holder, payload)) await reload();
  });

  const addForm = form("payee-form", async (values, el) => {
    if (!values.payeeRecipient) return fieldError(el, "payeeRecipient", "VALIDATION_FAILED");
    const payload = await mutate("addPayee", ADD, { recipient: values.payeeRecipient, alias: values.alias || null });
    // the API blames input.recipient; this form's input is payeeRecipient
    const errors = payload.errors.map((e) => ({ ...e, field: e.field && e.field.at(-1) === "recipient" ? ["input", "payeeRecipient"] : e.field }));
    if (!succeeded(el, { errors })) return;
    el.reset();
    await reload();
  },
    h("div", { class: "inline" },
      field("payeeRecipient", t("payees.recipient"), { placeholder: t("transfer.recipientHint") }),
      field("alias", t("payees.alias"), { placeholder: t("common.optional"), maxlength: 20 })),
    h("div", { class: "actions" }, submit(t("payees.add"), "payee-add-submit", { class: "secondary" })));

  await reload();
  fill(holder, actionsError,
    h("h2", {}, t("payees.title")), saved, addForm,
    h("h2", {}, t("payees.recentTitle")), recent);
  return { element: h("div", { class: "card narrow", testid: "payees" }, holder), reload: () => guarded(reload) };
}
