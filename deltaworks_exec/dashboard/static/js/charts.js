// Inline SVG charts: time series lines and progress bars (no library).

const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#14b8a6", "#ec4899"];

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== null) node.textContent = text;
  return node;
}

/** Axis labels with as many decimals as the range `v0..v1` needs. */
function labeler(v0, v1) {
  const span = Math.abs(v1 - v0) || Math.abs(v1) || 1;
  const digits = Math.max(0, Math.min(8, 2 - Math.floor(Math.log10(span))));
  return (v) => v.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/**
 * A line chart of `series`: [{name, points: [{t: Date|ms, v: number}], dashed?}].
 * Returns an <svg> with axis labels and a legend.
 */
export function lineChart(series, { width = 720, height = 240, title = "" } = {}) {
  const pad = { left: 56, right: 12, top: 24, bottom: 28 };
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart",
    role: "img",
    "aria-label": title,
  });
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.v));
  if (title) root.append(svg("text", { x: pad.left, y: 16, class: "chart-title" }, title));
  if (!all.length) {
    root.append(svg("text", { x: width / 2, y: height / 2, class: "chart-empty" }, "no data"));
    return root;
  }
  const times = all.map((p) => +p.t);
  const values = all.map((p) => p.v);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  let [v0, v1] = [Math.min(...values), Math.max(...values)];
  if (v0 === v1) [v0, v1] = [v0 - 1, v1 + 1];
  const x = (t) => pad.left + ((+t - t0) / (t1 - t0 || 1)) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - ((v - v0) / (v1 - v0)) * (height - pad.top - pad.bottom);
  const label = labeler(v0, v1);
  for (const v of [v0, (v0 + v1) / 2, v1]) {
    root.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: "grid" }));
    root.append(svg("text", { x: pad.left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, label(v)));
  }
  const stamp = (t) => new Date(t).toISOString().slice(5, 16).replace("T", " ");
  root.append(svg("text", { x: pad.left, y: height - 8, class: "axis" }, stamp(t0)));
  root.append(svg("text", { x: width - pad.right, y: height - 8, class: "axis", "text-anchor": "end" }, stamp(t1)));
  series.forEach((s, i) => {
    const points = s.points.filter((p) => Number.isFinite(p.v));
    if (!points.length) return;
    const color = COLORS[i % COLORS.length];
    const d = points.map((p, j) => `${j ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join("");
    root.append(svg("path", { d, stroke: color, class: s.dashed ? "line dashed" : "line" }));
    const lx = pad.left + 8 + i * 150;
    root.append(svg("rect", { x: lx, y: pad.top - 2, width: 10, height: 3, fill: color }));
    root.append(svg("text", { x: lx + 14, y: pad.top + 2, class: "legend" }, s.name));
  });
  return root;
}

/** A bar of `filled / quantity` with a marker where the schedule wants it (`target`). */
export function progressBar(filled, target, quantity) {
  const share = (v) => Math.max(0, Math.min(1, (v || 0) / (quantity || 1)));
  const root = svg("svg", { viewBox: "0 0 200 14", class: "progress", role: "img" });
  root.setAttribute(
    "aria-label",
    `${(share(filled) * 100).toFixed(0)}% filled, schedule ${(share(target) * 100).toFixed(0)}%`,
  );
  root.append(svg("rect", { x: 0, y: 2, width: 200, height: 10, class: "progress-track" }));
  root.append(svg("rect", { x: 0, y: 2, width: 200 * share(filled), height: 10, class: "progress-fill" }));
  const mark = 200 * share(target);
  root.append(svg("line", { x1: mark, x2: mark, y1: 0, y2: 14, class: "progress-target" }));
  return root;
}
