// Models: the list with the audit log's verification, and one model: aliases (now and on any date), their history,
// versions and signature differences, approval requests with approve, reject and move for those allowed.
import { el, get, post, put, show, time, table, segment, isLeftBehind } from "./dom.js";

export async function models() {
  const [list, audit] = await Promise.all([get("/models"), get("/audit/verification")]);
  const status = audit.isIntact
    ? el("p", { id: "audit", class: "good" }, `Audit log verified: intact, ${audit.head ? audit.head.sequence : 0} entries.`)
    : el("p", { id: "audit", class: "error", role: "alert" }, `Audit log broken at entry ${audit.firstBadSequence}: ${audit.problem}`);
  show("Models", status, table({ id: "models" }, ["Model", "Aliases", "Created"], list.map(m => [
    el("a", { href: "#/models/" + segment(m.name) }, m.name),
    Object.entries(m.aliases).map(([a, v]) => `${a} → ${v}`).join(", "),
    time(m.createdAt)])));
}

const signature = s => s ? s.inputs.map(t => `${t.name}: ${t.elementType}[${t.shape.map(d => d.size ?? d.symbol ?? "?").join(",")}]`).join(", ") : "";

/// Which version each alias pointed to at the end of a day, from the alias history (moves oldest first).
function aliasesOn(history, day) {
  const end = new Date(day + "T23:59:59.999Z").getTime();
  const state = new Map();
  for (const move of history) {
    if (new Date(move.at).getTime() <= end) state.set(move.alias, move.toVersion);
  }
  return [...state].filter(([, v]) => v !== null && v !== undefined).sort();
}

export async function model(name, me) {
  const base = "/models/" + segment(name);
  const [detail, versions, history] = await Promise.all([get(base), get(base + "/versions?maxResults=100"), get(base + "/aliases/history")]);
  const moves = [...history].sort((a, b) => new Date(a.at) - new Date(b.at));
  const numbers = versions.versions.map(v => v.number);
  const can = capability => me.capabilities.includes(capability);

  const day = el("input", { type: "date", id: "as-of", value: new Date().toISOString().slice(0, 10) });
  const onDay = el("div", { "aria-live": "polite" });
  const showDay = () => {
    const state = aliasesOn(moves, day.value);
    onDay.replaceChildren(state.length === 0 ? el("p", { class: "muted" }, `No alias pointed anywhere on ${day.value} (UTC).`)
      : table({ id: "aliases-on" }, ["Alias", "Version"], state.map(([a, v]) => [a, String(v)]), `Aliases at the end of ${day.value} (UTC)`));
  };
  day.addEventListener("change", showDay);
  showDay();

  const older = el("select", { id: "older", "aria-label": "Older version" }, numbers.map(n => el("option", { value: n }, n)));
  const newer = el("select", { id: "newer", "aria-label": "Newer version" }, numbers.map(n => el("option", { value: n }, n)));
  if (numbers.length > 1) older.value = String(numbers[1]);
  const differences = el("div", { "aria-live": "polite" });
  const compare = el("form", { class: "inline", onsubmit: async event => {
    event.preventDefault();
    const result = await get(`${base}/versions/${newer.value}/compare/${older.value}`).catch(error => ({ error }));
    differences.replaceChildren(result.error ? el("p", { class: "error", role: "alert" }, result.error.message)
      : el("div", { id: "signature-diff" }, el("p", {}, `Version ${newer.value} against ${older.value}: ${result.change.toLowerCase()}`),
        result.differences.length ? el("ul", {}, result.differences.map(d => el("li", {}, d))) : null));
  } }, el("label", {}, "Compare signatures of ", newer), el("label", {}, " against ", older), " ", el("button", { class: "action", type: "submit" }, "Compare"));

  const approvals = el("section", { "aria-label": "Approval requests" });
  show("Model " + detail.name,
    el("h2", {}, "Aliases"),
    Object.keys(detail.aliases).length === 0 ? el("p", { class: "muted" }, "No alias.")
      : table({ id: "aliases" }, ["Alias", "Version", "Lineage"], Object.entries(detail.aliases).map(([a, v]) => [a, String(v),
        el("a", { href: `#/lineage/model/${segment(name)}/${v}` }, `${name}@${a}`)])),
    can("promote") ? promoteForm(name, numbers) : null,
    el("label", { for: "as-of" }, "Aliases on "), day, onDay,
    table({ id: "alias-history" }, ["When", "Alias", "From", "To", "By"], [...moves].reverse().map(m => [time(m.at), m.alias, m.fromVersion ?? "", m.toVersion ?? "(deleted)", m.actor]), "Alias history"),
    el("h2", {}, "Versions"),
    table({ id: "versions" }, ["Version", "Status", "Inputs", "Digest", "From run", "Created by", "Created", "Lineage"], versions.versions.map(v => [
      String(v.number), v.status, signature(v.signature), (v.digest || "").slice(0, 19),
      v.sourceRunId ? el("a", { href: "#/runs/" + segment(v.sourceRunId) }, v.sourceRunId.slice(0, 12)) : "",
      v.createdBy, time(v.createdAt), el("a", { href: `#/lineage/model/${segment(name)}/${v.number}`, "aria-label": `Lineage graph of version ${v.number}` }, "graph")])),
    numbers.length > 1 ? compare : null, differences,
    approvals);

  const aliases = [...new Set(Object.keys(detail.aliases).concat(moves.map(m => m.alias), ["production"]))];
  const requests = await Promise.all(aliases.map(alias => get(`${base}/aliases/${segment(alias)}/approvals`)));
  aliases.forEach((alias, i) => {
    if (requests[i].length === 0) return;
    approvals.append(el("h2", {}, `Approval requests for ${alias}`), table({ "data-alias": alias },
      ["Request", "Version", "State", "Requester", "Decisions", "Actions"],
      requests[i].map(r => ({ attributes: { "data-request": r.id }, cells: [
        String(r.id), String(r.version), r.state, r.requester,
        r.decisions.map(d => `${d.approver}: ${d.approved ? "approved" : "rejected"}`).join(", "),
        el("span", { class: "actions" },
          r.state === "Pending" && can("approve") ? [
            el("button", { class: "action", type: "button", onclick: event => act(event.target, () => post(`/approvals/${r.id}/approve`, { comment: "approved in the dashboard" }), name, me) }, "Approve"),
            el("button", { class: "secondary", type: "button", onclick: event => act(event.target, () => post(`/approvals/${r.id}/reject`, { comment: "rejected in the dashboard" }), name, me) }, "Reject")] : null,
          r.state === "Approved" && can("promote") && detail.aliases[alias] !== r.version
            ? el("button", { class: "action", type: "button", onclick: event => act(event.target, () => put(`${base}/aliases/${segment(alias)}`, { version: r.version, reason: `approval request ${r.id}` }), name, me) }, `Move ${alias} to ${r.version}`)
            : null)] }))));
  });
}

/// Point an alias at a version, or ask for approval where a policy requires it.
function promoteForm(name, numbers) {
  const alias = el("input", { id: "promote-alias", value: "production", required: true, size: 12 });
  const version = el("select", { id: "promote-version" }, numbers.map(n => el("option", { value: n }, n)));
  const reason = el("input", { id: "promote-reason", placeholder: "why", size: 24 });
  const status = el("span", { "aria-live": "polite" });
  const send = approval => async () => {
    const body = { version: Number(version.value), reason: reason.value || null };
    const path = `/models/${segment(name)}/aliases/${segment(alias.value)}` + (approval ? "/approvals" : "");
    try {
      await (approval ? post(path, body) : put(path, body));
      location.hash = "#/models/" + segment(name) + "?at=" + Date.now();
    } catch (error) {
      if (isLeftBehind(error)) return;
      status.replaceChildren(el("span", { class: "error", role: "alert" }, " " + error.message));
    }
  };
  return el("form", { class: "inline", id: "promote", onsubmit: event => event.preventDefault() },
    el("label", { for: "promote-alias" }, "Alias "), alias, " ", el("label", { for: "promote-version" }, "version "), version, " ",
    el("label", { for: "promote-reason" }, "reason "), reason, " ",
    el("button", { class: "action", type: "button", onclick: send(false) }, "Move alias"), " ",
    el("button", { class: "secondary", type: "button", onclick: send(true) }, "Ask for approval"), status);
}

async function act(button, action, name, me) {
  button.disabled = true;
  try {
    await action();
    await model(name, me);
  } catch (error) {
    if (isLeftBehind(error)) return;
    button.after(el("span", { class: "error", role: "alert" }, " " + error.message));
  }
}
