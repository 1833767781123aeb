// The service's WebSocket (/ws): order, fill, kill-switch and book events, reconnecting with
// backoff; book subscriptions are sent again after a reconnect.

const handlers = new Map();
const books = new Map(); // exchange -> Set of symbols subscribed on this connection
let socket = null;
let retry = 500;
let wanted = false;
let statusListener = () => {};

/** Call `handler(data, event)` for every event of `type` ("order", "fill", "kill_switch", ...). */
export function on(type, handler) {
  if (!handlers.has(type)) handlers.set(type, []);
  handlers.get(type).push(handler);
}

export function onStatus(listener) {
  statusListener = listener;
}

export function connect(bearer) {
  wanted = true;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(bearer)}`);
  socket.addEventListener("open", () => {
    retry = 500;
    statusListener("live");
    for (const [exchange, symbols] of books) send({ subscribe: { exchange, symbols: [...symbols] } });
  });
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    for (const handler of handlers.get(event.type) || []) handler(event.data, event);
  });
  socket.addEventListener("close", () => {
    statusListener("offline");
    if (!wanted) return;
    setTimeout(() => wanted && connect(bearer), retry);
    retry = Math.min(retry * 2, 10_000);
  });
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

/** Receive `book` events (top levels, about once a second) of `symbol` on `exchange`. */
export function subscribeBook(exchange, symbol) {
  if (!books.has(exchange)) books.set(exchange, new Set());
  if (books.get(exchange).has(symbol)) return;
  books.get(exchange).add(symbol);
  send({ subscribe: { exchange, symbols: [symbol] } });
}

export function disconnect() {
  wanted = false;
  if (socket) socket.close();
  socket = null;
}
