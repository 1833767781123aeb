// Small DOM and formatting helpers shared by the views.

/** An element with attributes (`on*` functions become listeners) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(key, value === true ? "" : value);
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function num(value, digits = 6) {
  if (value === null || value === undefined) return "";
  return Number(value).toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** `value` with exactly `digits` decimals (a market's precision). */
export function fixed(value, digits) {
  if (value === null || value === undefined) return "";
  return Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function money(value) {
  return num(value, 2);
}

export function time(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace("T", " ").slice(0, 19);
}

/**
 * A table from column specs `{label, value: row => text|Node, className?, sort?: row => key}`.
 * Clicking a header sorts by that column (numbers numerically, by `sort` when given); a
 * column with `className: "actions"` stays visible at the right edge while the table scrolls.
 */
export function table(columns, rows, { rowAttrs = () => ({}), empty = "nothing yet" } = {}) {
  const node = el("table", {});
  const head = el(
    "thead",
    {},
    el(
      "tr",
      {},
      columns.map((c, index) =>
        el(
          "th",
          { class: c.className || null, "aria-sort": c.label && c.className !== "actions" ? "none" : null },
          c.label && c.className !== "actions"
            ? el("button", { type: "button", class: "sort", onclick: () => sortBy(node, index) }, c.label)
            : c.label,
        ),
      ),
    ),
  );
  const body = el("tbody");
  for (const row of rows) body.append(tableRow(columns, row, rowAttrs(row)));
  if (!rows.length) body.append(el("tr", { class: "empty" }, el("td", { colspan: columns.length }, empty)));
  node.append(head, body);
  return node;
}

export function tableRow(columns, row, attrs = {}) {
  return el(
    "tr",
    attrs,
    columns.map((c) => {
      const key = c.sort ? c.sort(row) : null;
      return el("td", { class: c.className || null, dataset: key === null || key === undefined ? null : { sort: key } }, c.value(row));
    }),
  );
}

function sortKey(row, index) {
  const cell = row.cells[index];
  const raw = cell?.dataset.sort ?? cell?.textContent.trim() ?? "";
  const number = Number(raw.replace(/,/g, "").split(" ")[0]);
  return raw !== "" && Number.isFinite(number) ? number : raw.toLowerCase();
}

function compare(a, b) {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === "number" ? -1 : 1; // numbers before text
}

/** Sort `tableNode` by column `index`: ascending first, then toggling; `again` keeps the order. */
export function sortBy(tableNode, index, again = false) {
  const th = tableNode.tHead.rows[0].cells[index];
  const current = th.getAttribute("aria-sort");
  const direction = again ? current : current === "ascending" ? "descending" : "ascending";
  for (const cell of tableNode.tHead.rows[0].cells) if (cell.hasAttribute("aria-sort")) cell.setAttribute("aria-sort", "none");
  th.setAttribute("aria-sort", direction);
  const sign = direction === "ascending" ? 1 : -1;
  const body = tableNode.tBodies[0];
  const rows = [...body.rows].filter((r) => !r.classList.contains("empty"));
  rows.sort((a, b) => sign * compare(sortKey(a, index), sortKey(b, index)));
  body.append(...rows);
}

/** Keep a table's chosen order after rows were added or replaced. */
export function resort(tableNode) {
  const cells = [...tableNode.tHead.rows[0].cells];
  const index = cells.findIndex((c) => ["ascending", "descending"].includes(c.getAttribute("aria-sort")));
  if (index >= 0) sortBy(tableNode, index, true);
}

/** Put `next` in `container` in place of its table, keeping the column the user sorted by. */
export function replaceTable(container, next) {
  const previous = container.querySelector("table");
  if (previous) {
    const old = [...previous.tHead.rows[0].cells];
    for (const [i, th] of [...next.tHead.rows[0].cells].entries()) {
      const sorted = old[i]?.getAttribute("aria-sort");
      if (sorted && th.hasAttribute("aria-sort")) th.setAttribute("aria-sort", sorted);
    }
    resort(next);
  }
  container.replaceChildren(next);
  return next;
}

/** Digits after the decimal point of a step such as 0.001 (3) or 1 (0). */
export function stepDigits(step) {
  if (!step || step >= 1) return 0;
  return Math.min(12, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
}

/** A status line: `kind` is "ok", "error" or "info". */
export function notice(target, message, kind = "info") {
  target.replaceChildren(message ? el("p", { class: `notice ${kind}`, role: "status" }, message) : "");
}
