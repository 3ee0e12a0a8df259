"use strict";
// The MlOps.Sdk dashboard: a hash-routed page over the management API, with no library and nothing from a CDN.
// Every text from the store is set with textContent, never parsed as HTML.
(() => {
  const api = document.querySelector('meta[name="mlops-api"]').content;
  const main = document.getElementById("main");
  let me = { name: "", capabilities: [] };

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  async function get(path) {
    const response = await fetch(api + path, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail || body.title || response.statusText);
    return body;
  }

  async function post(path, value) {
    const response = await fetch(api + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(value) });
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail || body.title || response.statusText);
    return body;
  }

  function show(title, ...content) {
    document.title = title + " · MlOps.Sdk";
    main.replaceChildren(el("h1", {}, title), ...content);
    main.focus();
  }

  const time = value => value ? new Date(value).toISOString().replace("T", " ").slice(0, 19) : "";
  const number = value => typeof value === "number" ? Number(value.toPrecision(6)).toString() : String(value);

  async function runs(query) {
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
    const sortBy = field => {
      const descending = order === field + " DESC";
      navigate("runs", { filter, order: field + (descending ? " ASC" : " DESC") });
    };
    const header = (label, field) => el("th", { scope: "col", "aria-sort": order.startsWith(field + " ") ? (order.endsWith("DESC") ? "descending" : "ascending") : "none" },
      el("button", { type: "button", onclick: () => sortBy(field) }, label));
    const table = el("table", { id: "runs" },
      el("caption", { class: "muted" }, `${page.runs.length} runs on this page`),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Run"), header("Name", "attributes.run_name"), el("th", { scope: "col" }, "Status"), header("Started", "attributes.start_time"),
        metricKeys.map(k => header(k, "metrics." + k)), paramKeys.map(k => el("th", { scope: "col" }, k)))),
      el("tbody", {}, page.runs.map(run => el("tr", { "data-run": run.info.runId },
        el("td", {}, el("a", { href: "#/runs/" + encodeURIComponent(run.info.runId) }, run.info.runId.slice(0, 12))),
        el("td", {}, run.info.name), el("td", {}, run.info.status), el("td", {}, time(run.info.startTime)),
        metricKeys.map(k => el("td", {}, k in run.metrics ? number(run.metrics[k].value) : "")),
        paramKeys.map(k => el("td", {}, run.params[k] ?? ""))))));
    const pager = el("p", {},
      token ? el("a", { href: routeOf("runs", { filter, order }) }, "First page") : null, " ",
      page.nextPageToken ? el("a", { href: routeOf("runs", { filter, order, page: page.nextPageToken }) }, "Next page") : null);
    show("Runs", form, table, pager);
  }

  async function run(id) {
    const detail = await get("/runs/" + encodeURIComponent(id));
    const pairs = (caption, entries) => entries.length === 0 ? null : el("table", {}, el("caption", {}, caption),
      el("tbody", {}, entries.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, v)))));
    const charts = el("section", { "aria-label": "Metric charts" });
    show("Run " + detail.info.name,
      el("p", { class: "muted" }, `${detail.info.runId} · ${detail.info.status} · started ${time(detail.info.startTime)}`),
      pairs("Params", Object.entries(detail.params)),
      pairs("Metrics (last value)", Object.entries(detail.metrics).map(([k, m]) => [k, `${number(m.value)} at step ${m.step}`])),
      pairs("Tags", Object.entries(detail.tags)),
      charts);
    for (const key of Object.keys(detail.metrics).sort()) {
      const history = await get(`/runs/${encodeURIComponent(id)}/metrics/${encodeURIComponent(key)}?points=${chartWidth()}`);
      charts.append(chart(key, history.buckets));
    }
  }

  const chartWidth = () => Math.max(100, Math.min(2000, Math.floor(main.clientWidth || 900)));

  // One bucket per pixel column at most: the band is each bucket's min..max, the line its last value.
  function chart(key, buckets) {
    const width = 900, height = 240, left = 90, bottom = 24;
    const figure = el("figure", { "data-metric": key }, el("figcaption", {}, key));
    if (buckets.length === 0) {
      figure.append(el("p", { class: "muted" }, "No points."));
      return figure;
    }
    const firstStep = buckets[0].firstStep, lastStep = buckets[buckets.length - 1].lastStep;
    const low = Math.min(...buckets.map(b => b.min)), high = Math.max(...buckets.map(b => b.max));
    const x = step => left + (lastStep === firstStep ? 0 : (step - firstStep) / (lastStep - firstStep)) * (width - left - 10);
    const y = value => 10 + (high === low ? 0.5 : (high - value) / (high - low)) * (height - bottom - 10);
    const total = buckets.reduce((sum, b) => sum + b.count, 0);
    const picture = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${key}: ${total} points in ${buckets.length} buckets from step ${firstStep} to ${lastStep}, values ${number(low)} to ${number(high)}` });
    const band = buckets.map(b => `${x(b.firstStep)},${y(b.max)}`).concat([...buckets].reverse().map(b => `${x(b.lastStep)},${y(b.min)}`));
    picture.append(svg("polygon", { class: "band", points: band.join(" ") }));
    picture.append(svg("polyline", { class: "line", points: buckets.map(b => `${x(b.last.step)},${y(b.last.value)}`).join(" ") }));
    const axis = value => Number(value.toPrecision(4)).toString();
    for (const [text, at, anchor, tx] of [[axis(high), 18, "end", left - 6], [axis(low), height - bottom, "end", left - 6]]) {
      const label = svg("text", { x: tx, y: at, "text-anchor": anchor });
      label.textContent = text;
      picture.append(label);
    }
    for (const [text, tx, anchor] of [[`step ${firstStep}`, left, "start"], [`step ${lastStep}`, width - 10, "end"]]) {
      const label = svg("text", { x: tx, y: height - 6, "text-anchor": anchor });
      label.textContent = text;
      picture.append(label);
    }
    figure.append(picture);
    return figure;
  }

  async function models() {
    const list = await get("/models");
    show("Models", el("table", { id: "models" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Model"), el("th", { scope: "col" }, "Aliases"), el("th", { scope: "col" }, "Created"))),
      el("tbody", {}, list.map(m => el("tr", {},
        el("td", {}, el("a", { href: "#/models/" + encodeURIComponent(m.name) }, m.name)),
        el("td", {}, Object.entries(m.aliases).map(([a, v]) => `${a} → ${v}`).join(", ")),
        el("td", {}, time(m.createdAt)))))));
  }

  async function model(name) {
    const detail = await get("/models/" + encodeURIComponent(name));
    const versions = await get(`/models/${encodeURIComponent(name)}/versions?maxResults=100`);
    const approvals = el("section", { "aria-label": "Approval requests" });
    show("Model " + detail.name,
      el("table", { id: "versions" },
        el("thead", {}, el("tr", {}, ["Version", "Status", "Digest", "From run", "Created by", "Created"].map(h => el("th", { scope: "col" }, h)))),
        el("tbody", {}, versions.versions.map(v => el("tr", {},
          el("td", {}, v.number), el("td", {}, v.status), el("td", {}, (v.digest || "").slice(0, 19)),
          el("td", {}, v.sourceRunId ? el("a", { href: "#/runs/" + encodeURIComponent(v.sourceRunId) }, v.sourceRunId.slice(0, 12)) : ""),
          el("td", {}, v.createdBy), el("td", {}, time(v.createdAt)))))),
      approvals);
    for (const alias of Object.keys(detail.aliases).concat(["production"]).filter((a, i, all) => all.indexOf(a) === i)) {
      const requests = await get(`/models/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}/approvals`);
      if (requests.length === 0) continue;
      approvals.append(el("h2", {}, `Approval requests for ${alias}`), el("table", { "data-alias": alias },
        el("thead", {}, el("tr", {}, ["Request", "Version", "State", "Requester", "Decisions", ""].map(h => el("th", { scope: "col" }, h)))),
        el("tbody", {}, requests.map(r => el("tr", { "data-request": r.id },
          el("td", {}, r.id), el("td", {}, r.version), el("td", {}, r.state), el("td", {}, r.requester),
          el("td", {}, r.decisions.map(d => `${d.approver}: ${d.approved ? "approved" : "rejected"}`).join(", ")),
          el("td", {}, r.state === "Pending" && me.capabilities.includes("approve")
            ? el("button", { class: "action", type: "button", onclick: event => decide(event.target, r.id, name) }, "Approve")
            : ""))))));
    }
  }

  async function decide(button, id, name) {
    button.disabled = true;
    try {
      await post(`/approvals/${id}/approve`, { comment: "approved in the dashboard" });
      await model(name);
    } catch (error) {
      button.after(el("span", { class: "error", role: "alert" }, " " + error.message));
    }
  }

  function routeOf(page, values) {
    const query = new URLSearchParams(Object.entries(values).filter(([, v]) => v));
    return "#/" + page + (query.size ? "?" + query : "");
  }

  function navigate(page, values) { location.hash = routeOf(page, values); }

  async function route() {
    const [path, search] = location.hash.slice(2).split("?");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const query = new URLSearchParams(search || "");
    try {
      if (parts[0] === "runs" && parts[1]) await run(parts[1]);
      else if (parts[0] === "models" && parts[1]) await model(parts[1]);
      else if (parts[0] === "models") await models();
      else await runs(query);
    } catch (error) {
      show("Something went wrong", el("p", { class: "error", role: "alert" }, error.message));
    }
  }

  window.addEventListener("hashchange", route);
  get("/me").then(user => {
    me = user;
    document.getElementById("user").textContent = user.name;
  }).catch(() => {}).finally(route);
})();
