// Time-series charts drawn by uPlot (vendored in ../vendor/uplot, MIT): time axes, a tooltip
// with the values under the cursor, the legend below the plot, and visible points on short
// series (a series of one point is drawn as a dot). Progress bars stay small inline SVGs.

import uPlot from "../vendor/uplot/uPlot.esm.js";
import { el } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#14b8a6", "#ec4899"];
const AXIS = { stroke: "#8893a2", grid: { stroke: "#263140", width: 1 }, ticks: { stroke: "#263140" } };
const SPARSE = 30; // series with at most this many points show every point

function format(value, digits) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** Decimals that values spanning `min..max` need. */
function decimals(min, max) {
  const span = Math.abs(max - min) || Math.abs(max) || 1;
  return Math.max(0, Math.min(8, 2 - Math.floor(Math.log10(span))));
}

/** One x array (seconds) shared by all series, with null where a series has no point. */
function align(series) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => Math.round(+p.t / 1000))))];
  xs.sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const column = new Array(xs.length).fill(null);
    for (const p of s.points) if (Number.isFinite(p.v)) column[index.get(Math.round(+p.t / 1000))] = p.v;
    return column;
  });
  return [xs, ...ys];
}

/** A range around a single value, so one point sits in the middle of the plot. */
function padded(pad) {
  return (_, min, max) => (min === max ? [min - pad(min), max + pad(max)] : [min, max]);
}

function tooltipPlugin(tip, digits) {
  return {
    hooks: {
      setCursor: (u) => {
        const { idx, left, top } = u.cursor;
        if (idx === null || idx === undefined || left < 0) {
          tip.hidden = true;
          return;
        }
        const rows = u.series.slice(1).map((s, i) =>
          el("div", {}, el("span", { class: "swatch", dataset: { color: i } }), `${s.label}: ${format(u.data[i + 1][idx], digits)}`),
        );
        tip.replaceChildren(el("div", { class: "tip-time" }, new Date(u.data[0][idx] * 1000).toISOString().slice(0, 19).replace("T", " ")), ...rows);
        tip.hidden = false;
        const flip = left > u.over.clientWidth / 2;
        tip.style.left = `${flip ? left - tip.offsetWidth - 12 : left + 12}px`;
        tip.style.top = `${Math.max(0, top - 10)}px`;
      },
    },
  };
}

/**
 * A time-series chart of `series`: [{name, points: [{t: Date|ms, v: number}], dashed?}].
 * Returns a <figure class="chart"> (the uPlot instance on `figure.plot`); "no data yet"
 * when no series has a point.
 */
export function lineChart(series, { height = 240, title = "" } = {}) {
  const figure = el("figure", { class: "chart", "aria-label": title });
  if (title) figure.append(el("figcaption", {}, title));
  const count = series.reduce((n, s) => n + s.points.filter((p) => Number.isFinite(p.v)).length, 0);
  figure.dataset.points = String(count);
  if (!count) {
    figure.append(el("p", { class: "chart-empty" }, "no data yet"));
    return figure;
  }
  const data = align(series);
  const values = data.slice(1).flat().filter((v) => v !== null);
  const digits = decimals(Math.min(...values), Math.max(...values));
  const tip = el("div", { class: "chart-tooltip", hidden: true });
  const plotBox = el("div", { class: "chart-plot" });
  figure.append(plotBox);
  const options = {
    width: 720,
    height,
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: padded(() => 60) },
      y: { range: padded((v) => Math.abs(v) * 0.01 || 1) },
    },
    axes: [
      { ...AXIS },
      { ...AXIS, size: 70, values: (_, ticks) => ticks.map((v) => format(v, digits)) },
    ],
    series: [
      { label: "time", value: (_, v) => (v === null ? "–" : new Date(v * 1000).toISOString().slice(0, 19).replace("T", " ")) },
      ...series.map((s, i) => {
        const color = COLORS[i % COLORS.length];
        const points = s.points.length;
        return {
          label: s.name,
          stroke: color,
          width: 2,
          dash: s.dashed ? [6, 4] : undefined,
          spanGaps: true,
          points: { show: points <= SPARSE, size: points <= 1 ? 9 : 5, fill: color, stroke: color },
          value: (_, v) => format(v, digits),
        };
      }),
    ],
    plugins: [tooltipPlugin(tip, digits)],
  };
  const plot = new uPlot(options, data, plotBox);
  plot.over.append(tip);
  figure.plot = plot;
  new ResizeObserver(() => {
    const width = Math.floor(plotBox.clientWidth);
    if (width > 0 && width !== plot.width) plot.setSize({ width, height });
  }).observe(plotBox);
  return figure;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
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
