// The MlOps.Sdk dashboard: a hash-routed page over the management API, with no library and nothing from a CDN.
// Every text from the store is set with textContent, never parsed as HTML.
import { el, get, show, main, beginPage, isLeftBehind } from "./dom.js";
import { runs, run, compare } from "./runs.js";
import { models, model } from "./models.js";
import { lineage } from "./lineage.js";
import { productionList, production } from "./production.js";

let me = { name: "", capabilities: [] };

async function route() {
  const page = beginPage();
  // Busy until the page has loaded all it reads (assistive technology waits; so do the browser tests).
  main.setAttribute("aria-busy", "true");
  const [path, search] = location.hash.slice(2).split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search || "");
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.section === (parts[0] || "runs")) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  try {
    if (parts[0] === "runs" && parts[1]) await run(parts[1]);
    else if (parts[0] === "compare") await compare(query);
    else if (parts[0] === "models" && parts[1]) await model(parts[1], me);
    else if (parts[0] === "models") await models();
    else if (parts[0] === "lineage" && parts.length === 4) await lineage(parts[1], parts[2], parts[3]);
    else if (parts[0] === "production" && parts[1]) await production(parts[1]);
    else if (parts[0] === "production") await productionList();
    else await runs(query);
  } catch (error) {
    if (!isLeftBehind(error)) show("Something went wrong", el("p", { class: "error", role: "alert" }, error.message));
  } finally {
    if (!page.aborted) main.removeAttribute("aria-busy");
  }
}

document.getElementById("skip").addEventListener("click", event => {
  event.preventDefault();
  document.getElementById("main").focus();
});
window.addEventListener("hashchange", route);
get("/me").then(user => {
  me = user;
  document.getElementById("user").textContent = user.name;
}).catch(() => {}).finally(route);
