// Lineage as a graph: dataset versions → runs → model versions → aliases and deployments, in columns, each node a link;
// the same edges as a table for readers who do not see the picture.
import { el, svg, get, show, table, segment } from "./dom.js";

const columns = ["DatasetVersion", "Run", "ModelVersion", "Alias", "Deployment"];
const titles = { DatasetVersion: "Datasets", Run: "Runs", ModelVersion: "Model versions", Alias: "Aliases", Deployment: "Deployments" };

function link(node) {
  const [, rest] = node.id.split(/:(.*)/s);
  if (node.kind === "Run") return "#/runs/" + segment(rest);
  if (node.kind === "ModelVersion" || node.kind === "DatasetVersion") {
    const slash = rest.lastIndexOf("/");
    return `#/lineage/${node.kind === "ModelVersion" ? "model" : "dataset"}/${segment(rest.slice(0, slash))}/${rest.slice(slash + 1)}`;
  }
  if (node.kind === "Alias") return "#/models/" + segment(rest.split("@")[0]);
  return null;
}

export async function lineage(kind, name, version) {
  const path = kind === "dataset" ? `/datasets/${segment(name)}/versions/${version}/lineage` : `/models/${segment(name)}/versions/${version}/lineage`;
  const graph = await get(path);
  const byColumn = columns.map(c => graph.nodes.filter(n => n.kind === c));
  const rowHeight = 44, columnWidth = 250, nodeWidth = 220, nodeHeight = 30;
  const height = Math.max(1, ...byColumn.map(c => c.length)) * rowHeight + 40;
  const width = columns.length * columnWidth;
  const place = new Map();
  byColumn.forEach((nodes, c) => nodes.forEach((node, r) => place.set(node.id, { x: c * columnWidth + 10, y: 34 + r * rowHeight })));
  const label = graph.nodes.find(n => (kind === "dataset" ? n.kind === "DatasetVersion" : n.kind === "ModelVersion") && n.id.endsWith(`${name}/${version}`));
  const picture = svg("svg", { class: "lineage", viewBox: `0 0 ${width} ${height}`, role: "group", "aria-label": `Lineage of ${kind} ${name} version ${version}: ${graph.nodes.length} nodes, ${graph.edges.length} edges` });
  columns.forEach((c, i) => picture.append(svg("text", { class: "title", x: i * columnWidth + 10, y: 16 }, titles[c])));
  for (const edge of graph.edges) {
    const from = place.get(edge.from), to = place.get(edge.to);
    if (!from || !to) continue;
    const [x1, y1, x2, y2] = [from.x + nodeWidth, from.y + nodeHeight / 2, to.x, to.y + nodeHeight / 2];
    const path = svg("path", { class: "edge", d: `M${x1},${y1} C${x1 + 20},${y1} ${x2 - 20},${y2} ${x2},${y2}` });
    path.append(svg("title", {}, edge.relation));
    picture.append(path);
  }
  for (const node of graph.nodes) {
    const at = place.get(node.id);
    if (!at) continue;
    const target = link(node);
    const group = target ? svg("a", { href: target, "data-node": node.id, "aria-label": `${node.kind}: ${node.label}` }) : svg("g", { "data-node": node.id });
    group.append(svg("rect", { class: `node ${node.kind}${node === label ? " focus" : ""}`, x: at.x, y: at.y, width: nodeWidth, height: nodeHeight, rx: 4 }));
    const text = node.label.length > 30 ? node.label.slice(0, 29) + "…" : node.label;
    group.append(svg("text", { x: at.x + 8, y: at.y + 19 }, text));
    group.append(svg("title", {}, node.label));
    picture.append(group);
  }
  const names = new Map(graph.nodes.map(n => [n.id, n.label]));
  show(`Lineage of ${name} ${kind === "dataset" ? "dataset " : ""}version ${version}`,
    el("div", { class: "scroll" }, picture),
    table({ id: "edges" }, ["From", "Relation", "To"], graph.edges.map(e => [names.get(e.from) ?? e.from, e.relation, names.get(e.to) ?? e.to]), "Edges"));
}
