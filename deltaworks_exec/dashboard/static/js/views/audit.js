// The audit trail (GET /audit): who did what, allowed or denied, with filters.

import { get } from "../api.js";
import { el, replaceTable, table, time } from "../dom.js";

const columns = [
  { label: "time", value: (a) => time(a.ts), sort: (a) => Date.parse(a.ts) || 0 },
  { label: "user", value: (a) => a.user_name },
  { label: "role", value: (a) => a.role },
  { label: "action", value: (a) => a.action },
  { label: "target", value: (a) => a.target || "", className: "id" },
  { label: "outcome", value: (a) => el("span", { class: `status ${a.outcome}` }, a.outcome) },
  { label: "client", value: (a) => a.client || "" },
  { label: "parameters", value: (a) => a.params || "", className: "wrap params" },
];

let root = null;

function filters() {
  const form = el(
    "form",
    { id: "audit-filters", class: "filters", "aria-label": "audit filters" },
    el("input", { name: "user", placeholder: "user", "aria-label": "user" }),
    el("input", { name: "action", placeholder: "action (e.g. submit_order)", "aria-label": "action" }),
    el(
      "select",
      { name: "outcome", "aria-label": "outcome" },
      el("option", { value: "" }, "any outcome"),
      el("option", {}, "allowed"),
      el("option", {}, "denied"),
    ),
    el("button", { type: "submit" }, "Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    view.refresh();
  });
  return form;
}

export const view = {
  id: "audit",
  title: "Audit",
  permission: "audit",
  async render(container) {
    root = container;
    root.replaceChildren(filters(), el("div", { class: "scroll", id: "audit-table" }));
    await this.refresh();
  },
  async refresh() {
    const query = new URLSearchParams({ limit: "200" });
    for (const [key, value] of new FormData(root.querySelector("#audit-filters"))) {
      if (value.trim()) query.set(key, value.trim());
    }
    const rows = await get(`/audit?${query}`);
    replaceTable(
      root.querySelector("#audit-table"),
      table(columns, rows, {
        rowAttrs: (a) => ({ dataset: { user: a.user_name, action: a.action, outcome: a.outcome } }),
        empty: query.size > 1 ? "no audit event matches these filters" : "no state-changing request yet",
      }),
    );
  },
};
