// What every way of signing in ends with.

import { app } from "../app.js";
import { session, PHONE } from "../session.js";

export const AUTH_FIELDS = "auth { accessToken refreshToken expiresIn user { id } }";

/** Keep the tokens, forget the old viewer, go to the wallet. */
export function completeSignIn(auth, identifier) {
  app.viewer = null;
  session.signIn(auth, { phone: identifier && PHONE.test(identifier) ? identifier : null });
  app.navigate("/home");
}
