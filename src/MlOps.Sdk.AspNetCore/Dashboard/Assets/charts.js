// Charts drawn as SVG: a metric's buckets (a min–max band and its last values), and lines over a shared axis.
import { el, svg, number } from "./dom.js";

const width = 900, height = 240, left = 70, right = 12, top = 10, bottom = 36;
const axis = value => Number(value.toPrecision(4)).toString();

function frame(label, xLabel, yLabel, [x0, x1], [y0, y1]) {
  const picture = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  const x = v => left + (x1 === x0 ? 0.5 : (v - x0) / (x1 - x0)) * (width - left - right);
  const y = v => top + (y1 === y0 ? 0.5 : (y1 - v) / (y1 - y0)) * (height - bottom - top);
  picture.append(svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width - right, y2: height - bottom }));
  picture.append(svg("line", { class: "axis", x1: left, y1: top, x2: left, y2: height - bottom }));
  picture.append(svg("text", { x: left - 6, y: top + 8, "text-anchor": "end" }, axis(y1)));
  picture.append(svg("text", { x: left - 6, y: height - bottom, "text-anchor": "end" }, axis(y0)));
  picture.append(svg("text", { x: left, y: height - bottom + 14, "text-anchor": "start" }, xLabel.format(x0)));
  picture.append(svg("text", { x: width - right, y: height - bottom + 14, "text-anchor": "end" }, xLabel.format(x1)));
  picture.append(svg("text", { class: "title", x: (left + width - right) / 2, y: height - 4, "text-anchor": "middle" }, xLabel.name));
  picture.append(svg("text", { class: "title", x: 12, y: (top + height - bottom) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${(top + height - bottom) / 2})` }, yLabel));
  return { picture, x, y };
}

const steps = { name: "step", format: v => String(v) };

/// One bucket per pixel column at most: the band is each bucket's min..max, the line its last value.
export function metricChart(key, buckets) {
  const figure = el("figure", { "data-metric": key }, el("figcaption", {}, key));
  if (buckets.length === 0) return figure.appendChild(el("p", { class: "muted" }, "No points.")) && figure;
  const firstStep = buckets[0].firstStep, lastStep = buckets[buckets.length - 1].lastStep;
  const low = Math.min(...buckets.map(b => b.min)), high = Math.max(...buckets.map(b => b.max));
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const { picture, x, y } = frame(`${key}: ${total} points in ${buckets.length} buckets from step ${firstStep} to ${lastStep}, values ${number(low)} to ${number(high)}`,
    steps, key, [firstStep, lastStep], [low, high]);
  const band = buckets.map(b => `${x(b.firstStep)},${y(b.max)}`).concat([...buckets].reverse().map(b => `${x(b.lastStep)},${y(b.min)}`));
  picture.append(svg("polygon", { class: "band", points: band.join(" ") }));
  picture.append(svg("polyline", { class: "line", points: buckets.map(b => `${x(b.last.step)},${y(b.last.value)}`).join(" ") }));
  figure.append(picture);
  return figure;
}

/// Several series over one pair of axes, each in its own colour and named in the legend below.
/// series: [{ name, points: [[x, y], ...] }]; options: { x: { name, format }, y, threshold, markers: [[x, y], ...], range: [y0, y1] }.
export function lineChart(title, series, options) {
  const figure = el("figure", { "data-chart": title }, el("figcaption", {}, title));
  const points = series.flatMap(s => s.points).filter(([, v]) => Number.isFinite(v));
  if (points.length === 0) return figure.appendChild(el("p", { class: "muted" }, "No points yet.")) && figure;
  const xs = points.map(([v]) => v), ys = points.map(([, v]) => v).concat(options.threshold ?? []);
  const [y0, y1] = options.range ?? [Math.min(...ys), Math.max(...ys)];
  const { picture, x, y } = frame(`${title}: ${series.map(s => `${s.name}, ${s.points.length} points`).join("; ")}`,
    options.x ?? steps, options.y ?? "", [Math.min(...xs), Math.max(...xs)], [Math.min(y0, ...ys), Math.max(y1, ...ys)]);
  if (options.threshold !== undefined) {
    picture.append(svg("line", { class: "threshold", x1: left, x2: width - right, y1: y(options.threshold), y2: y(options.threshold) }));
    picture.append(svg("text", { x: width - right, y: y(options.threshold) - 4, "text-anchor": "end" }, `threshold ${number(options.threshold)}`));
  }
  series.forEach((s, i) => {
    const finite = s.points.filter(([, v]) => Number.isFinite(v));
    picture.append(svg("polyline", { class: `series c${i % 8}`, points: finite.map(([px, py]) => `${x(px)},${y(py)}`).join(" ") }));
    if (finite.length === 1) picture.append(svg("circle", { class: `dot c${i % 8}`, cx: x(finite[0][0]), cy: y(finite[0][1]), r: 3 }));
  });
  for (const [px, py] of options.markers ?? []) {
    picture.append(svg("circle", { class: "marker", cx: x(px), cy: y(py), r: 5 }, undefined));
  }
  figure.append(picture);
  if (series.length > 1 || options.markers) {
    figure.append(el("ul", { class: "legend" }, series.map((s, i) => el("li", {}, el("span", { class: `swatch c${i % 8}`, "aria-hidden": "true" }), s.name)),
      options.markers ? el("li", {}, el("span", { class: "swatch marker", "aria-hidden": "true" }), `drifted (${options.markers.length})`) : null));
  }
  return figure;
}
