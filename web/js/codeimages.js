// QR code and Code 128 barcode drawn in the browser (no server) by the vendored npm libraries in
// web/vendor/qrcode-generator/ and web/vendor/jsbarcode/ (their READMEs: versions, licences).
// Each script is loaded once, checked by
// its sha384 (subresource integrity); tests/web/test_payment_code_offline.py checks the files.

export const VENDOR = {
  qrcode: {
    src: "/vendor/qrcode-generator/qrcode.js",
    integrity: "sha384-e9EFD6BGC90bkW9aDV5xbbBfzwN7G8YImHao2lfLVKV/hPB0E0go+H3I64h7oHtA",
  },
  JsBarcode: {
    src: "/vendor/jsbarcode/JsBarcode.code128.min.js",
    integrity: "sha384-o7RBfsldq10L9VzJFYcPjRFQNr2IZxeGO/g/Y/LHV8whCrJRRrCDloQ5A2pBTgEs",
  },
};

const loading = new Map();

/** The global a vendored script defines (window.qrcode, window.JsBarcode), loaded once. */
function library(name) {
  if (window[name]) return Promise.resolve(window[name]);
  if (!loading.has(name)) {
    loading.set(name, new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = VENDOR[name].src;
      script.integrity = VENDOR[name].integrity;
      script.onload = () => (window[name] ? resolve(window[name]) : reject(new Error(`${name} did not load`)));
      script.onerror = () => {
        loading.delete(name);
        reject(new Error(`${name} did not load`));
      };
      document.head.appendChild(script);
    }));
  }
  return loading.get(name);
}

/** Load both libraries now (while online), so codes render later without the network. */
export function preloadCodeImages() {
  return Promise.all([library("qrcode"), library("JsBarcode")]);
}

/** SVG text of `text` as a QR code (error correction M, as the server draws it). */
export async function qrSvg(text) {
  const qrcode = await library("qrcode");
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize: 4, margin: 4 });
}

/** SVG text of `text` as a Code 128 barcode with the digits printed below. */
export async function barcodeSvg(text) {
  const JsBarcode = await library("JsBarcode");
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  JsBarcode(svg, text, { format: "CODE128", height: 60, margin: 10, fontSize: 16 });
  svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  return new XMLSerializer().serializeToString(svg);
}
