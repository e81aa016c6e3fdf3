// The "phone" side of QR login: take the scanned payload (pasted, or read by the
// camera where the browser has a BarcodeDetector), show who is asking, confirm.

import { h, fill, add } from "../dom.js";
import { t, label } from "../i18n.js";
import { mutate, USER_ERROR } from "../api.js";
import { field, form, submit, succeeded, fieldError, notice } from "../forms.js";
import { pinField, checkPin } from "../payforms.js";

const SESSION_FIELDS = "session { id status expiresAt } clientDescription";
const SCAN = `mutation ScanQrLogin($input: ScanQrLoginInput!) { scanQrLogin(input: $input) { ${SESSION_FIELDS} ${USER_ERROR} } }`;
const CONFIRM = `mutation ConfirmQrLogin($input: ConfirmQrLoginInput!) { confirmQrLogin(input: $input) { ${SESSION_FIELDS} ${USER_ERROR} } }`;

function cameraButton(onPayload) {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return null;
  const video = h("video", { class: "camera", playsinline: true, muted: true, hidden: true });
  const button = h("button", { type: "button", class: "secondary", testid: "scan-camera" }, t("scan.camera"));
  button.addEventListener("click", async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const look = async () => {
      if (!video.isConnected) return stream.getTracks().forEach((track) => track.stop());
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) {
        stream.getTracks().forEach((track) => track.stop());
        video.hidden = true;
        onPayload(codes[0].rawValue);
      } else {
        requestAnimationFrame(look);
      }
    };
    look();
  });
  return h("div", {}, button, video);
}

export default {
  name: "scan",
  title: "nav.scan",
  auth: true,
  render(root) {
    const result = h("div", { class: "scan-result", testid: "scan-result" });

    const showSession = (payload) => {
      const { session, clientDescription } = payload;
      // Approving needs the payment password (a stolen access token alone cannot sign a new device in).
      const decide = (approve) => form(approve ? "qr-confirm-form" : "qr-reject-form", async (values, el) => {
        if (approve && !checkPin(el, values.paymentPassword)) return;
        const input = approve ? { sessionId: session.id, approve, paymentPassword: values.paymentPassword } : { sessionId: session.id, approve };
        const answer = await mutate("confirmQrLogin", CONFIRM, input);
        if (!succeeded(el, answer)) return;
        fill(result, notice(approve ? t("scan.confirmed") : t("scan.rejected"), "scan-done"));
      }, ...(approve ? [pinField()] : []),
        submit(approve ? t("scan.confirm") : t("scan.reject"), approve ? "qr-confirm" : "qr-reject", { class: approve ? "primary" : "secondary" }));
      fill(result,
        h("div", { class: "card inner" },
          h("p", {}, t("scan.asking")),
          h("p", { class: "client", testid: "scan-client" }, clientDescription || t("scan.unknownClient")),
          h("p", { class: "muted" }, t("qr.status"), " ", h("span", { testid: "scan-status" }, label("QrLoginStatus", session.status))),
          h("div", { class: "actions" }, decide(true), decide(false))));
    };

    const scanForm = form("scan-form", async (values, el) => {
      if (!values.payload) return fieldError(el, "payload", "VALIDATION_FAILED");
      const payload = await mutate("scanQrLogin", SCAN, { payload: values.payload });
      if (succeeded(el, payload)) showSession(payload);
    },
      field("payload", t("scan.payload"), { type: "textarea", rows: 2, placeholder: t("scan.payloadHint") }),
      h("div", { class: "actions" }, submit(t("scan.submit"), "scan-submit")));

    const camera = cameraButton((text) => {
      scanForm.querySelector("[name=payload]").value = text;
      scanForm.requestSubmit();
    });
    add(root, h("div", { class: "card narrow" }, h("h1", {}, t("scan.title")), h("p", { class: "muted" }, t("scan.instructions")), camera, scanForm, result));
  },
};
