// Production: per served model, prediction rate, errors and latency from the serving meters, shadow agreement, alerts,
// each feature's drift score across the monitor's windows with its threshold and the drifted windows marked, and the
// estimated performance with its band beside the realised one once labels are in.
import { el, get, show, time, number, table, segment } from "./dom.js";
import { lineChart } from "./charts.js";

export async function productionList() {
  const list = await get("/production");
  show("Production", list.length === 0
    ? el("p", { class: "muted" }, "No model is served in this application. Hosts mapped with MapModel, and any host once it has served, show here.")
    : table({ id: "production" }, ["Model", "Serving version", "Predictions (10 min)", "Errors (10 min)", "Drift monitor"], list.map(p => [
      el("a", { href: "#/production/" + segment(p.name) }, p.name), p.version ?? "none", p.predictions.toLocaleString("en"), p.errors.toLocaleString("en"), p.monitored ? "yes" : "no"])));
}

const clock = { name: "time (UTC)", format: v => new Date(v).toISOString().slice(11, 19) };

export async function production(name) {
  const view = await get("/production/" + segment(name));
  const slots = view.serving ? view.serving.slots : [];
  const at = s => new Date(s.start).getTime();
  const perSecond = view.serving ? view.serving.slotSeconds : 10;
  const shadow = view.serving ? Object.entries(view.serving.shadow) : [];
  const compared = shadow.reduce((sum, [, n]) => sum + n, 0);
  const agreed = shadow.filter(([outcome]) => outcome === "agree").reduce((sum, [, n]) => sum + n, 0);
  const totals = slots.reduce((t, s) => ({ predictions: t.predictions + s.predictions, errors: t.errors + s.errors }), { predictions: 0, errors: 0 });

  const features = [...new Set(view.drift.flatMap(w => w.features.map(f => f.feature)))].sort();
  const driftCharts = features.map(feature => {
    const verdicts = view.drift.map(w => [new Date(w.closedAt).getTime(), w.features.find(f => f.feature === feature)]).filter(([, f]) => f);
    const last = verdicts[verdicts.length - 1][1];
    return lineChart(`${feature} (${last.test}, ${last.isPValue ? "p-value" : "distance"})`,
      [{ name: last.isPValue ? "p-value" : "distance", points: verdicts.map(([t, f]) => [t, f.score]) }],
      { x: clock, y: last.isPValue ? "p-value" : "distance", threshold: last.threshold, range: last.isPValue ? [0, 1] : [0, last.threshold],
        markers: verdicts.filter(([, f]) => f.drifted && Number.isFinite(f.score)).map(([t, f]) => [t, f.score]) });
  });
  const performanceCharts = performanceMetrics.map(([key, title]) => {
    const points = pick => view.performance.map(w => [new Date(w.closedAt).getTime(), pick(w)]);
    return lineChart(title, [
      { name: "estimated", points: points(w => w.estimate[key].value) },
      { name: "band, lower", points: points(w => w.estimate[key].lower) },
      { name: "band, upper", points: points(w => w.estimate[key].upper) },
      { name: "realised", points: view.performance.filter(w => w.realised && Number.isFinite(w.realised[realisedNames[key]])).map(w => [new Date(w.closedAt).getTime(), w.realised[realisedNames[key]]]) }],
      { x: clock, y: title.toLowerCase(), range: [0, 1] });
  });
  const lastWindow = view.drift[view.drift.length - 1];
  const driftedShare = w => w.features.length === 0 ? 0 : w.features.filter(f => f.drifted).length / w.features.length;

  show("Production: " + name,
    el("p", { id: "serving" }, view.version ? `Serving version ${view.version}. ` : "Serving no version. ",
      `${totals.predictions.toLocaleString("en")} predictions and ${totals.errors.toLocaleString("en")} errors in the last ${Math.round(slots.length * perSecond / 60)} minutes.`),
    view.firingAlerts.length ? el("p", { class: "error", role: "alert" }, "Alerts firing: " + view.firingAlerts.join(", ")) : el("p", { class: "muted" }, "No alert fires."),
    el("h2", {}, "Serving"),
    lineChart("Predictions per second", [{ name: "predictions", points: slots.map(s => [at(s), s.predictions / perSecond]) },
      { name: "errors", points: slots.map(s => [at(s), s.errors / perSecond]) }], { x: clock, y: "per second", range: [0, 0] }),
    lineChart("Latency (ms)", [{ name: "p50", points: slots.filter(s => s.latencyP50 !== null).map(s => [at(s), s.latencyP50 * 1000]) },
      { name: "p95", points: slots.filter(s => s.latencyP95 !== null).map(s => [at(s), s.latencyP95 * 1000]) }], { x: clock, y: "milliseconds", range: [0, 0] }),
    el("p", { id: "shadow" }, compared === 0 ? "No shadow comparison yet."
      : `Shadow agreement: ${agreed.toLocaleString("en")} of ${compared.toLocaleString("en")} (${number(100 * agreed / compared)}%)` +
        ` · ${shadow.map(([outcome, n]) => `${outcome} ${n}`).join(", ")}`),
    el("h2", {}, "Drift"),
    !view.monitored ? el("p", { class: "muted" }, "No drift monitor watches this model.")
      : view.drift.length === 0 ? el("p", { class: "muted" }, "No monitoring window has closed yet.")
      : [el("p", {}, `${view.drift.length} windows; the last, closed ${time(lastWindow.closedAt)}, had ${lastWindow.rows} rows and ${number(100 * driftedShare(lastWindow))}% of features drifted` +
          (lastWindow.datasetDrifted ? " (dataset drift)." : ".")),
        table({ id: "drift" }, ["Feature", "Test", "Score", "Threshold", "Drifted"], lastWindow.features.map(f => [f.feature, f.test, number(f.score), number(f.threshold), f.drifted ? "yes" : "no"]), "Last window"),
        el("section", { "aria-label": "Drift over time", class: "grid" }, driftCharts)],
    el("h2", {}, "Performance"),
    view.performance.length === 0 ? el("p", { class: "muted" }, "No performance estimate yet: add them to the monitor's history.")
      : [el("p", {}, `${view.performance.length} windows estimated before their labels, ${view.performance.filter(w => w.realised).length} with realised quality.`),
        el("section", { "aria-label": "Performance over time", class: "grid" }, performanceCharts)]);
}

const performanceMetrics = [["accuracy", "Accuracy"], ["precision", "Precision"], ["recall", "Recall"], ["f1", "F1"], ["rocAuc", "ROC AUC"]];
const realisedNames = { accuracy: "accuracy", precision: "precision", recall: "recall", f1: "f1", rocAuc: "roc_auc" };
