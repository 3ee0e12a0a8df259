// Helpers shared by the dashboard's pages: elements built without parsing HTML, the management API, formats.
const api = document.querySelector('meta[name="mlops-api"]').content;
export const main = document.getElementById("main");

export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function svg(tag, attributes, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

let navigation = new AbortController();

/// Starts a page: what the pages before it still read is aborted, and what they wrote is not followed up, so a slow
/// answer never draws over the page the user went to since. The signal tells whether the page has been left.
export function beginPage() {
  navigation.abort();
  navigation = new AbortController();
  return navigation.signal;
}

/// Whether an error only says that the user went to another page while it was running.
export const isLeftBehind = error => error?.name === "AbortError";

async function call(method, path, value) {
  const signal = navigation.signal;
  // A write is never aborted half-way; its answer is dropped instead if the user has left the page.
  const init = { method, headers: { Accept: "application/json" }, signal: method === "GET" ? signal : undefined };
  if (value !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(value);
  }
  const response = await fetch(api + path, init);
  const body = await response.json();
  signal.throwIfAborted();
  if (!response.ok) {
    const error = new Error(body.detail || body.title || response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}

export const get = path => call("GET", path);
export const post = (path, value) => call("POST", path, value);
export const put = (path, value) => call("PUT", path, value);
export const segment = encodeURIComponent;

export function show(title, ...content) {
  document.title = title + " · MlOps.Sdk";
  main.replaceChildren(el("h1", {}, title), ...content.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false));
  main.focus();
}

export const time = value => value ? new Date(value).toISOString().replace("T", " ").slice(0, 19) : "";
export const number = value => typeof value === "number" ? Number(value.toPrecision(6)).toString() : String(value);

export function routeOf(page, values) {
  const query = new URLSearchParams(Object.entries(values || {}).filter(([, v]) => v));
  return "#/" + page + (query.size ? "?" + query : "");
}

export function navigate(page, values) { location.hash = routeOf(page, values); }

/// A table of name/value rows, or nothing when there are none.
export function pairs(caption, entries) {
  return entries.length === 0 ? null : el("table", {}, el("caption", {}, caption),
    el("tbody", {}, entries.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, v)))));
}

/// A table with a header row; each row is a list of cells (text or nodes) or { attributes, cells }.
export function table(attributes, headers, rows, caption) {
  return el("table", attributes, caption ? el("caption", {}, caption) : null,
    el("thead", {}, el("tr", {}, headers.map(h => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map(row => Array.isArray(row)
      ? el("tr", {}, row.map(cell => el("td", {}, cell)))
      : el("tr", row.attributes, row.cells.map(cell => el("td", {}, cell))))));
}

export const chartWidth = () => Math.max(100, Math.min(2000, Math.floor(main.clientWidth || 900)));

/// Runs each promise-making function, at most four at a time, keeping their order.
export async function all(makers) {
  const results = new Array(makers.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(4, makers.length) }, async () => {
    while (next < makers.length) {
      const index = next++;
      results[index] = await makers[index]();
    }
  }));
  return results;
}
