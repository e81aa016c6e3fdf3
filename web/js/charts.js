// Charts of the statement screen, drawn with the vendored Chart.js (web/vendor/chart.js/README.md).
// The library is a UMD script: it is loaded once, checked by its sha384 (integrity), on first use.
// Amounts go in as the API's decimal strings ("12.34"): Chart.js parses them for plotting, and the
// client itself never turns money into floats.

export const CHART_JS_URL = "/vendor/chart.js/chart.umd.min.js";
export const CHART_JS_INTEGRITY = "sha384-XcdcwHqIPULERb2yDEM4R0XaQKU3YnDsrTmjACBZyfdVVqjh6xQ4/DCMd7XLcA6Y";

const PALETTE = ["#1677ff", "#fa8c16", "#52c41a", "#eb2f96", "#722ed1", "#13c2c2", "#faad14", "#a0d911", "#f5222d", "#2f54eb"];

let loading = null;

/** The Chart constructor (loads the script the first time; rejects when it cannot load). */
export function loadChart() {
  if (globalThis.Chart) return Promise.resolve(globalThis.Chart);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = CHART_JS_URL;
      script.integrity = CHART_JS_INTEGRITY;
      script.crossOrigin = "anonymous";
      script.onload = () => resolve(globalThis.Chart);
      script.onerror = () => {
        loading = null;
        reject(new Error(`${CHART_JS_URL} did not load`));
      };
      document.head.appendChild(script);
    });
  }
  return loading;
}

/**
 * Stacked bars: spending per category (series) for each month (labels).
 * series: [{label, values: ["12.00", ...] per month}].
 */
export async function spendingChart(canvas, months, series, title) {
  const Chart = await loadChart();
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: months,
      datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: PALETTE[i % PALETTE.length] })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: title } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { callback: (v) => `¥${v}` } } },
    },
  });
}

/** A line of balances (yuan strings) at the given points in time (labels). */
export async function balanceChart(canvas, labels, balances, title, seriesLabel) {
  const Chart = await loadChart();
  return new Chart(canvas, {
    type: "line",
    data: { labels, datasets: [{ label: seriesLabel, data: balances, borderColor: PALETTE[0], backgroundColor: PALETTE[0], tension: 0.2 }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: title } },
      scales: { y: { beginAtZero: true, ticks: { callback: (v) => `¥${v}` } } },
    },
  });
}
