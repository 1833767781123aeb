// REST calls with the bearer token kept in sessionStorage; errors carry the server's message.

const TOKEN_KEY = "deltaworks.token";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** The problem a response body names: FastAPI's `detail` (a string or validation errors). */
export function describe(status, body) {
  const detail = body && body.detail;
  if (Array.isArray(detail)) {
    return detail
      .map((e) => `${(e.loc || []).filter((p) => p !== "body").join(".")}: ${e.msg}`)
      .join("; ");
  }
  if (typeof detail === "string") return detail;
  return `HTTP ${status}`;
}

let onUnauthorized = () => {};

/** Called when the service refuses the token (401/403): the app signs out. */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

export async function request(method, path, body, bearer = token.get()) {
  const headers = { Accept: "application/json" };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { detail: text };
  }
  if (!response.ok) {
    if (response.status === 401 || response.status === 403) onUnauthorized(response.status);
    throw new ApiError(response.status, describe(response.status, parsed));
  }
  return parsed;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body);
export const del = (path) => request("DELETE", path);

let schema = null;

/** The service's OpenAPI paths (cached): which optional endpoints exist. */
export async function paths() {
  if (schema === null) {
    const response = await fetch("/openapi.json");
    schema = response.ok ? (await response.json()).paths || {} : {};
  }
  return schema;
}
