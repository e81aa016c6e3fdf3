// RFC 6238 TOTP with WebCrypto (HMAC-SHA1), as app/merchant_platform/payment_code.py derives
// the payment code with pyotp: code = prefix ("28" + 8-digit locator) + 8-digit TOTP, 30 s step.

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** The bytes of an RFC 4648 base32 text (pyotp's secrets; padding and spaces ignored). */
export function base32Bytes(text) {
  const clean = text.toUpperCase().replace(/[\s=]/g, "");
  const bytes = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error("not base32");
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return new Uint8Array(bytes);
}

/** An HMAC-SHA1 key for the secret, not extractable from WebCrypto. */
export function hmacKey(secretBase32) {
  return crypto.subtle.importKey("raw", base32Bytes(secretBase32), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
}

/** RFC 4226 HOTP of `counter` (a step number) with `digits` digits, as a zero-padded string. */
export async function hotp(key, counter, digits) {
  const message = new DataView(new ArrayBuffer(8));
  message.setUint32(0, Math.floor(counter / 2 ** 32));
  message.setUint32(4, counter >>> 0);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message.buffer));
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The step (RFC 6238 time counter) of a time in milliseconds since the epoch. */
export function stepAt(milliseconds, stepSeconds) {
  return Math.floor(milliseconds / 1000 / stepSeconds);
}

/** The 18-digit payment code of a device record ({prefix, otpDigits}) at `step`. */
export async function paymentCodeAt(key, device, step) {
  return device.prefix + (await hotp(key, step, device.otpDigits));
}
