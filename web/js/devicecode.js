// The payment-code secret kept on this device (localStorage, one entry per user), so the
// wallet derives codes without the server. Forgotten on sign-out and whenever the server
// says the code is off or was enabled again elsewhere (another secret).

const PREFIX = "fenpay.paycode.";

/** {secret, prefix, stepSeconds, otpDigits, usedStep} for `userId`, or null. */
export function loadDeviceCode(userId) {
  try {
    const raw = localStorage.getItem(PREFIX + userId);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

export function saveDeviceCode(userId, record) {
  try {
    localStorage.setItem(PREFIX + userId, JSON.stringify(record));
    return true;
  } catch {
    return false; // storage unavailable (private mode): the screen asks the server instead
  }
}

export function forgetDeviceCode(userId) {
  try {
    localStorage.removeItem(PREFIX + userId);
  } catch {
    // nothing stored
  }
}

/** Sign-out: forget every user's secret on this device. */
export function forgetAllDeviceCodes() {
  try {
    for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
  } catch {
    // nothing stored
  }
}
