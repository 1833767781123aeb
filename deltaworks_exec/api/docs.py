"""``docs/API.md`` generated from the service's OpenAPI schema.

``python -m deltaworks_exec.api.docs`` rewrites the file; a test checks it is current.
"""

from __future__ import annotations

import json
from typing import Any

from deltaworks_core.config import REPO_ROOT, RiskLimits, Settings
from deltaworks_exec.api.app import create_app
from deltaworks_exec.api.roles import roles_with
from deltaworks_exec.api.ws_actions import WS_ACTIONS
from deltaworks_exec.service import ExecService

API_DOC = REPO_ROOT / "docs" / "API.md"

_INTRO = """# Delta Works execution service API

Generated from the OpenAPI schema by `python -m deltaworks_exec.api.docs` (a test checks
that this file is current). The running service serves the schema at `/openapi.json`,
interactive documentation at `/docs` (Swagger UI: *Authorize* with the bearer token, then
"Try it out") and `/redoc`, both from its own files (no internet needed), and the
dashboard at `/dashboard/` (`GET /` redirects there). `deltaworks-exec serve` logs these URLs.

* **Authentication**: every endpoint but `/health` needs `Authorization: Bearer <token>`.
  A user token (`dwt_<id>.<secret>`) comes from `deltaworks-exec users add|token` and acts
  in its user's role; the value of the variable named by `[exec] token_env` (default
  `DELTAWORKS_API_TOKEN`) still works as the bootstrap `admin` token of single-token
  set-ups (the service logs a warning). No token: 401; a wrong, expired or revoked token,
  or a disabled user: 403; more than 10 failed sign-ins from one address within 60 s: 429
  with `Retry-After`. Without any token the service refuses to start, unless bound to a
  loopback address with `--dev` (requests without a token then act as `admin`).
* **Roles**: each endpoint names the permission it needs and the roles that grant it
  (`x-permission`, `x-roles` in the OpenAPI document; **Permission** below). `viewer`:
  `read`; `trader`: `read`, `trade` (orders, algorithms); `risk`: `read`, `risk` (limits,
  kill switch), `audit`; `admin`: everything. A role without the permission gets 403.
* **Errors**: invalid input is answered 422 with `detail[].loc` naming the field; numbers
  must be finite and of a sane size (`NaN`, `Infinity`, `1e309`, an amount of `1e30` are
  422); a symbol that is not a configured market of the exchange, an amount below one step
  or the minimum amount, a price below one tick are 422 and nothing is stored; an unknown
  order 404; a request the order's state does not allow (canceling a filled order) 409;
  QuestDB unavailable, so nothing was sent, 503. A listing leaves out a damaged stored row
  (logged) and names it in the `X-Skipped-Rows` header.
* **Orders** are acknowledged once the venue answered and every transition is durable in
  QuestDB (`order_events`; the `pending_new` row is written before the order is sent).
  A known `client_order_id` with the same parameters returns the first order with HTTP 200
  and sends nothing; with different parameters it is 409 naming each difference.
  Risk and venue rejects are orders with `status: rejected`, `reason_code` and `reason`
  (`CODE: message naming the limit and the value`). Reason codes: `KILL_SWITCH`,
  `SYMBOL_NOT_ALLOWED`, `MAX_OPEN_ORDERS`, `PRICE_BAND`, `NO_MARKET_PRICE`,
  `STALE_MARKET_DATA` (streamed top of book older than `max_book_age_s`), `MAX_SPREAD`,
  `MAX_ORDER_NOTIONAL`, `MAX_POSITION`, `INSUFFICIENT_BALANCE`, `MIN_NOTIONAL` (below
  the market's minimum notional, checked before sending), `VENUE_REJECTED`,
  `NOT_AT_VENUE` (recovery: the venue never received it), `VENUE_UNKNOWN` (recovery: the
  venue no longer knows the order; status `expired`).
* **States**: `pending_new`, `new`, `partially_filled`, `filled`, `pending_cancel`,
  `canceled`, `rejected`, `expired`.

## CLI

`deltaworks-exec serve [--host H] [--port P] [--dev] [--poll-interval S]` runs the service
(SIGTERM or Ctrl-C: graceful shutdown). The other commands talk to a running service at
`--url`, `$DELTAWORKS_EXEC_URL` or `[exec] host:port`, with the token from the environment;
`--json` (anywhere on the line) prints raw JSON instead of tables. Tables show ids whole (copy
them into `order show` or `order cancel`) and prices and amounts to the market's precision.
Choices (`buy`/`sell`, `--type`, `--tif`, `--status`) are checked before anything is sent.
Exit codes: 0 done (an order accepted), 1 the service refused or failed (HTTP error,
unreachable), 2 bad input caught locally, 3 an order answered `rejected`:

```
deltaworks-exec order submit sim_a BTC/USDT buy 0.01 --type limit --price 60000 [--tif IOC]
deltaworks-exec order cancel ORDER_ID
deltaworks-exec order list [--open] [--status filled] [--exchange sim_a] [--symbol BTC/USDT]
deltaworks-exec order show ORDER_ID [--json]
deltaworks-exec kill-switch on|off [--reason TEXT]
deltaworks-exec arb enable BTC/USDT sim_a sim_b --amount 0.01 --min-edge-bps 5 \\
    [--retry-bound-bps 10]
deltaworks-exec arb disable BTC-USDT.sim_a.sim_b
deltaworks-exec arb pairs | arb trades [--status exposed] | arb show TRADE_ID
deltaworks-exec status --json
```

Users and tokens are managed locally, against QuestDB (no API token needed; whoever runs
these administers the desk). A token is printed once, at creation; only a salted argon2
hash of its secret is stored:

```
deltaworks-exec users add alice --role trader [--name laptop] [--expires-days 90]
deltaworks-exec users token alice [--name ci] [--expires-days 30]
deltaworks-exec users role alice risk
deltaworks-exec users list
deltaworks-exec users revoke TOKEN_ID | USER
```

## WebSocket `/ws`

Token in the `Authorization` header (or `?token=` for browsers); refused with HTTP
401/403/429 as above. Every role may read the stream (permission `read`).
The server sends `{"seq": n, "type": "order" | "fill" | "kill_switch" | "book" | "arbitrage",
"data": {...}}` in increasing `seq`: `order` carries an order as in `OrderOut` (each
order's `data.seq` increases by one per transition), `fill` a fill row, `arbitrage` a
trade of the arbitrage executor as in `TradeOut` at each of its steps. Send
`{"subscribe": {"exchange": "sim_a", "symbols": ["BTC/USDT"]}}` to receive `book` events
(top 10 levels, about once a second) for those symbols.

A client sends actions, one per message: `{"<action>": {...parameters}}`, e.g.
`{"subscribe": {"exchange": "sim_a", "symbols": ["BTC/USDT"]}}`. Each message is signed in
again with the socket's token (a revoked or expired token gets an error and the socket is
closed with code 1008) and checked against the action's permission; a refusal answers
`{"type": "error", "data": {"action", "status": 403, "detail"}}` and the socket stays open.
State-changing actions are audited (`ws.<action>`, allowed or denied) before they take
effect. Other errors: 400 (not an action), 422 (invalid parameters), 404, 409, 503 as over
REST. A success answers `{"type": <reply>, "data": {...}}`:
"""


def _ref(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return f"`{schema['$ref'].rsplit('/', 1)[-1]}`"
    if schema.get("type") == "array":
        return f"list of {_ref(schema.get('items', {}))}"
    if "anyOf" in schema:
        return " or ".join(_ref(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    return f"`{schema.get('type', 'object')}`"


def _endpoint(path: str, method: str, op: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", ""]
    if op.get("description"):
        lines += [" ".join(op["description"].split()), ""]
    for param in op.get("parameters", []):
        lines.append(f"* {param['in']} `{param['name']}`: {_ref(param.get('schema', {}))}"
                     + (" (required)" if param.get("required") else ""))  # fmt: skip
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        lines.append(f"* body: {_ref(body['schema'])}")
    for code, response in sorted(op.get("responses", {}).items()):
        content = response.get("content", {}).get("application/json", {})
        shape = f": {_ref(content['schema'])}" if content.get("schema") else ""
        lines.append(f"* {code} {response.get('description', '')}{shape}")
    return [*lines, ""]


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### `{name}`", ""]
    if schema.get("description"):
        lines += [" ".join(schema["description"].split()), ""]
    required = set(schema.get("required", []))
    for field, spec in schema.get("properties", {}).items():
        limits = {k: spec[k] for k in ("minimum", "exclusiveMinimum", "maxLength", "pattern")
                  if k in spec}  # fmt: skip
        extra = f" {json.dumps(limits)}" if limits else ""
        note = f" — {spec['description']}" if spec.get("description") else ""
        star = " (required)" if field in required else ""
        lines.append(f"* `{field}`: {_ref(spec)}{star}{extra}{note}")
    return [*lines, ""]


def _ws_actions() -> list[str]:
    lines = [
        "| action | parameters | reply | permission: roles | what it does |",
        "|---|---|---|---|---|",
    ]
    for action in sorted(WS_ACTIONS.values(), key=lambda a: a.name):
        doc = " ".join((action.handler.__doc__ or "").split())
        roles = ", ".join(roles_with(action.permission))
        lines.append(f"| `{action.name}` | `{action.params.__name__}` | `{action.reply}` "
                     f"| `{action.permission}`: {roles} | {doc} |")  # fmt: skip
    return [*lines, ""]


def render(schema: dict[str, Any]) -> str:
    """Markdown for an OpenAPI schema and the WebSocket's declared actions."""
    lines = [_INTRO, *_ws_actions(), "## Endpoints", ""]
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            lines += _endpoint(path, method, op)
    lines += ["## Schemas", ""]
    for name, spec in sorted(schema["components"]["schemas"].items()):
        lines += _schema(name, spec)
    return "\n".join(lines).rstrip() + "\n"


def current_schema() -> dict[str, Any]:
    """The OpenAPI schema of the app (built without starting the service)."""
    return create_app(ExecService(Settings(), RiskLimits()), token=None).openapi()


def main() -> None:
    API_DOC.parent.mkdir(exist_ok=True)
    API_DOC.write_text(render(current_schema()))
    print(f"wrote {API_DOC}")


if __name__ == "__main__":
    main()
