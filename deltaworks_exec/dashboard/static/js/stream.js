// The service's WebSocket (/ws): order, fill and kill-switch events, reconnecting with backoff.

const handlers = new Map();
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

export function disconnect() {
  wanted = false;
  if (socket) socket.close();
  socket = null;
}
