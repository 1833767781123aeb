// Markets of each venue (symbol, precision), and a live quote of one market from the book stream.

import { get } from "./api.js";
import { el, fixed, num, stepDigits } from "./dom.js";
import * as stream from "./stream.js";

const cache = new Map();

/** The venue's markets by symbol (fetched once per exchange). */
export async function markets(exchange) {
  if (!cache.has(exchange)) {
    const list = await get(`/dashboard/api/markets/${encodeURIComponent(exchange)}`);
    cache.set(exchange, new Map(list.map((m) => [m.symbol, m])));
  }
  return cache.get(exchange);
}

/** A <select> of the venue's symbols, `preferred` selected when the venue has it. */
export function symbolOptions(select, symbols, preferred) {
  const chosen = symbols.includes(preferred) ? preferred : symbols[0];
  select.replaceChildren(...symbols.map((s) => el("option", { value: s, selected: s === chosen }, s)));
}

const books = new Map(); // "exchange symbol" -> latest book event data
const listeners = new Set();

stream.on("book", (data) => {
  books.set(`${data.exchange} ${data.symbol}`, data);
  for (const listener of listeners) listener(data);
});

/** Call `listener(book)` for every book event; subscribe to `exchange symbol` first. */
export function watchBook(exchange, symbol, listener) {
  stream.subscribeBook(exchange, symbol);
  const known = books.get(`${exchange} ${symbol}`);
  if (known) listener(known);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Best bid, best ask, mid and spread (absolute and in basis points) of a book event. */
export function quote(book) {
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  if (bid === undefined || ask === undefined) return { bid, ask, mid: null, spread: null, bps: null };
  const mid = (bid + ask) / 2;
  return { bid, ask, mid, spread: ask - bid, bps: ((ask - bid) / mid) * 10_000 };
}

/** Digits for prices and amounts of a market (from its increments). */
export function digits(market) {
  return {
    price: market ? stepDigits(market.price_increment) : 8,
    amount: market ? stepDigits(market.amount_increment) : 8,
  };
}

/** "mid 60,000.05 · spread 0.10 (0.02 bps)" for a book event. */
export function quoteText(book, market) {
  const q = quote(book);
  if (q.mid === null) return "no quote: the book is empty";
  const d = digits(market).price;
  return `bid ${fixed(q.bid, d)} · ask ${fixed(q.ask, d)} · mid ${fixed(q.mid, d + 1)} · spread ${fixed(q.spread, d)} (${num(q.bps, 2)} bps)`;
}
