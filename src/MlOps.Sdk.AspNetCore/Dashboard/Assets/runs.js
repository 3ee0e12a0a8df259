// Runs: the table (filter language, sorting, paging, selection for comparison), one run, and runs side by side.
import { main, el, get, show, time, number, routeOf, navigate, pairs, table, chartWidth, all, segment } from "./dom.js";
import { metricChart, lineChart } from "./charts.js";

export async function runs(query) {
  const filter = query.get("filter") || "";
  const order = query.get("order") || "";
  const token = query.get("page") || "";
  const parameters = new URLSearchParams({ maxResults: "50" });
  if (filter) parameters.set("filter", filter);
  if (order) parameters.set("orderBy", order);
  if (token) parameters.set("pageToken", token);
  const page = await get("/runs?" + parameters);
  const metricKeys = [...new Set(page.runs.flatMap(r => Object.keys(r.metrics)))].sort();
  const paramKeys = [...new Set(page.runs.flatMap(r => Object.keys(r.params)))].sort();
  const input = el("input", { name: "filter", type: "search", value: filter, "aria-label": "Filter runs", placeholder: "metrics.auc > 0.9 AND params.model = 'lbfgs'" });
  const form = el("form", { class: "filter", role: "search", onsubmit: event => {
    event.preventDefault();
    navigate("runs", { filter: input.value, order });
  } }, input, el("button", { class: "action", type: "submit" }, "Search"));
  const sortBy = field => navigate("runs", { filter, order: field + (order === field + " DESC" ? " ASC" : " DESC") });
  const header = (label, field) => el("th", { scope: "col", "aria-sort": order.startsWith(field + " ") ? (order.endsWith("DESC") ? "descending" : "ascending") : "none" },
    el("button", { type: "button", onclick: () => sortBy(field) }, label));
  const compare = el("button", { class: "action", type: "button", disabled: true, onclick: () => {
    const chosen = [...main.querySelectorAll("input[name=compare]:checked")].map(box => box.value);
    navigate("compare", { runs: chosen.join(",") });
  } }, "Compare selected");
  const onSelect = () => { compare.disabled = main.querySelectorAll("input[name=compare]:checked").length < 2; };
  const rows = el("tbody", {}, page.runs.map(run => el("tr", { "data-run": run.info.runId },
    el("td", {}, el("input", { type: "checkbox", name: "compare", value: run.info.runId, "aria-label": `Compare ${run.info.name}`, onchange: onSelect })),
    el("td", {}, el("a", { href: "#/runs/" + segment(run.info.runId) }, run.info.runId.slice(0, 12))),
    el("td", {}, run.info.name), el("td", {}, run.info.status), el("td", {}, time(run.info.startTime)),
    metricKeys.map(k => el("td", {}, k in run.metrics ? number(run.metrics[k].value) : "")),
    paramKeys.map(k => el("td", {}, run.params[k] ?? "")))));
  const runTable = el("table", { id: "runs" },
    el("caption", { class: "muted" }, `${page.runs.length} runs on this page`),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, el("span", { class: "hidden" }, "Compare")), el("th", { scope: "col" }, "Run"), header("Name", "attributes.run_name"),
      el("th", { scope: "col" }, "Status"), header("Started", "attributes.start_time"),
      metricKeys.map(k => header(k, "metrics." + k)), paramKeys.map(k => el("th", { scope: "col" }, k)))),
    rows);
  const pager = el("p", {},
    token ? el("a", { href: routeOf("runs", { filter, order }) }, "First page") : null, " ",
    page.nextPageToken ? el("a", { href: routeOf("runs", { filter, order, page: page.nextPageToken }) }, "Next page") : null);
  show("Runs", form, el("p", {}, compare), el("div", { class: "scroll" }, runTable), pager);
}

export async function run(id) {
  const detail = await get("/runs/" + segment(id));
  const charts = el("section", { "aria-label": "Metric charts" });
  show("Run " + detail.info.name,
    el("p", { class: "muted" }, `${detail.info.runId} · ${detail.info.status} · started ${time(detail.info.startTime)}`),
    pairs("Params", Object.entries(detail.params)),
    pairs("Metrics (last value)", Object.entries(detail.metrics).map(([k, m]) => [k, `${number(m.value)} at step ${m.step}`])),
    pairs("Tags", Object.entries(detail.tags)),
    detail.inputs.length === 0 ? null : table({ id: "inputs" }, ["Dataset", "Digest", "Context"],
      detail.inputs.map(i => [i.name, i.digest.slice(0, 19), i.context]), "Inputs"),
    detail.artifacts.length === 0 ? null : table({ id: "artifacts" }, ["Path", "Digest", "Bytes"],
      detail.artifacts.map(a => [a.path, a.digest.slice(0, 19), Number(a.length).toLocaleString("en")]), "Artifacts"),
    charts);
  const keys = Object.keys(detail.metrics).sort();
  const histories = await all(keys.map(key => () => get(`/runs/${segment(id)}/metrics/${segment(key)}?points=${chartWidth()}`)));
  histories.forEach((history, i) => charts.append(metricChart(keys[i], history.buckets)));
}

/// Selected runs side by side: params (differences marked), last metric values, and each metric's curves overlaid.
export async function compare(query) {
  const ids = (query.get("runs") || "").split(",").filter(Boolean).slice(0, 8);
  if (ids.length === 0) return show("Compare runs", el("p", {}, "Select runs in the runs table to compare them."));
  const details = await all(ids.map(id => () => get("/runs/" + segment(id))));
  const names = details.map(d => d.info.name);
  const paramKeys = [...new Set(details.flatMap(d => Object.keys(d.params)))].sort();
  const metricKeys = [...new Set(details.flatMap(d => Object.keys(d.metrics)))].sort();
  const differs = key => new Set(details.map(d => d.params[key] ?? "")).size > 1;
  const side = el("table", { id: "comparison" }, el("caption", {}, "Params and last metric values"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, ""), names.map(n => el("th", { scope: "col" }, n)))),
    el("tbody", {},
      paramKeys.map(k => el("tr", { class: differs(k) ? "differs" : null },
        el("th", { scope: "row" }, k, differs(k) ? el("span", { class: "badge" }, "differs") : null), details.map(d => el("td", {}, d.params[k] ?? "")))),
      metricKeys.map(k => el("tr", {}, el("th", { scope: "row" }, k), details.map(d => el("td", {}, k in d.metrics ? number(d.metrics[k].value) : ""))))));
  const charts = el("section", { "aria-label": "Metric curves" });
  show("Compare runs", side, charts);
  const points = Math.max(100, Math.floor(chartWidth() / 2));
  for (const key of metricKeys) {
    const withKey = details.filter(d => key in d.metrics);
    const histories = await all(withKey.map(d => () => get(`/runs/${segment(d.info.runId)}/metrics/${segment(key)}?points=${points}`)));
    charts.append(lineChart(key, withKey.map((d, i) => ({ name: d.info.name, points: histories[i].buckets.map(b => [b.last.step, b.last.value]) })), { y: key }));
  }
}
