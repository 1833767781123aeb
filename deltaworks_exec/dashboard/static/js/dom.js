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

export function money(value) {
  return num(value, 2);
}

export function time(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace("T", " ").slice(0, 19);
}

/** A table from column specs `{label, value: row => text|Node, className?}`. */
export function table(columns, rows, { rowAttrs = () => ({}), empty = "nothing yet" } = {}) {
  const head = el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, c.label))));
  const body = el("tbody");
  for (const row of rows) body.append(tableRow(columns, row, rowAttrs(row)));
  if (!rows.length) body.append(el("tr", { class: "empty" }, el("td", { colspan: columns.length }, empty)));
  return el("table", {}, head, body);
}

export function tableRow(columns, row, attrs = {}) {
  return el(
    "tr",
    attrs,
    columns.map((c) => el("td", { class: c.className || null }, c.value(row))),
  );
}

/** A status line: `kind` is "ok", "error" or "info". */
export function notice(target, message, kind = "info") {
  target.replaceChildren(message ? el("p", { class: `notice ${kind}`, role: "status" }, message) : "");
}
