// Money stays a decimal string ("10.00") end to end: the client only checks the
// format with a regex and never does arithmetic on amounts.

const AMOUNT = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

/** True for "10", "10.5", "10.50"; false for blanks, signs, exponents, more than 2 decimals. */
export function isAmount(text) {
  return typeof text === "string" && AMOUNT.test(text.trim());
}

/** "¥10.00"; a signed server amount like "-5.00" becomes "-¥5.00". */
export function yuan(amount) {
  if (amount === null || amount === undefined) return "";
  const text = String(amount);
  return text.startsWith("-") ? `-¥${text.slice(1)}` : `¥${text}`;
}

/** An amount with the sign a direction gives it: IN "+¥5.00", OUT "-¥5.00". */
export function signed(amount, direction) {
  return `${direction === "OUT" ? "-" : "+"}¥${amount}`;
}

export function isZero(amount) {
  return /^-?0+(\.0+)?$/.test(String(amount));
}
