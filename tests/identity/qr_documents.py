"""GraphQL documents of the QR login flow (shared by the in-process and real-server tests)."""

CREATE = """
mutation($d: String) { createQrLoginSession(input: {clientDescription: $d}) {
  session { id payload svg status expiresAt } secret errors { code message } } }"""
SCAN = """
mutation($p: String!) { scanQrLogin(input: {payload: $p}) {
  session { id status } clientDescription errors { code message field } } }"""
CONFIRM = """
mutation($id: ID!, $approve: Boolean!, $pin: String = "135790") {
  confirmQrLogin(input: {sessionId: $id, approve: $approve, paymentPassword: $pin}) {
  session { id status } clientDescription errors { code message field } } }"""
STATUS = """
subscription($id: ID!, $secret: String!) { qrLoginStatus(sessionId: $id, secret: $secret) {
  status session { id status expiresAt } auth { accessToken refreshToken expiresIn user { id phone } } } }"""
