// The page's only way to the data: the public /v1 API of the server that served it. A read token,
// when the server asks for one, is kept for this tab (sessionStorage) and sent as a bearer token.

import { showDialog } from "./dialogs.js";

const tokenKey = "tracker.token";
let pendingAsk = null;
const listeners = new Set();

/** How the API answered so far: "unknown", "open" (no token needed), "token", or "needed" (refused). */
export let access = "unknown";

export function onAccess(listener) {
  listeners.add(listener);
}

function setAccess(value) {
  if (access === value) return;
  access = value;
  for (const listener of listeners) listener(value);
}

export function token() {
  return sessionStorage.getItem(tokenKey);
}

export function forgetToken() {
  sessionStorage.removeItem(tokenKey);
  setAccess("unknown");
}

/** An answer that is not 2xx, with the API's code and message. */
export class APIError extends Error {
  constructor(status, code, message) {
    super(message || `The server answered ${status}.`);
    this.status = status;
    this.code = code;
  }
}

/** Asks for a token with the page's form; resolves to the token, or null when the person cancels. */
function askToken(reason) {
  if (pendingAsk) return pendingAsk;
  const dialog = document.getElementById("token-dialog");
  const input = dialog.querySelector("input");
  dialog.querySelector(".dialog-message").textContent = reason;
  input.value = "";
  const submit = () => {
    const value = input.value.trim();
    if (!value) return undefined;
    sessionStorage.setItem(tokenKey, value);
    return value;
  };
  pendingAsk = showDialog(dialog, { submit, cancelled: null, focus: input }).then((value) => {
    pendingAsk = null;
    return value;
  });
  return pendingAsk;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === undefined || value === null || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

function headers(extra) {
  const result = { Accept: "application/json", ...extra };
  const current = token();
  if (current) result.Authorization = `Bearer ${current}`;
  return result;
}

/** Why the page asks for a token, from the refusal. */
function reasonFor(status, body, sent) {
  if (status === 403) return "Erasure and replay need an admin token. Enter one to go on.";
  if (sent) return "That token was refused. Enter a read token configured in TRACKER_READ_TOKENS.";
  if (body.code === "protected_mode") {
    return "This server answers only its own machine without a token. Enter a read token.";
  }
  return "This server needs a read token (TRACKER_READ_TOKENS). Enter one to see the data.";
}

/** Sends a request; on 401 (or 403 for an admin action) asks for a token and tries again. */
export async function request(method, path, { params, body, signal } = {}) {
  for (;;) {
    const sent = token();
    const init = { method, headers: headers(body ? { "Content-Type": "application/json" } : {}), signal };
    if (body) init.body = JSON.stringify(body);
    const answer = await fetch(`${path}${query(params)}`, init);
    const text = await answer.text();
    let json = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = {};
    }
    if (answer.ok) {
      setAccess(sent ? "token" : "open");
      return json;
    }
    if (answer.status === 401 || (answer.status === 403 && json.code === "admin_token_required")) {
      const entered = await askToken(reasonFor(answer.status, json, sent));
      if (entered === null) {
        setAccess("needed");
        throw new APIError(answer.status, json.code, "This needs a token, and none was given.");
      }
      continue;
    }
    throw new APIError(answer.status, json.code, json.message);
  }
}

export const get = (path, params, signal) => request("GET", path, { params, signal });

/**
 * Follows a server-sent event stream with fetch, which can send the token (EventSource cannot).
 * Calls onEvent(data, id) per event and onState(state, detail) as it opens, waits and retries;
 * resumes with Last-Event-ID after a dropped connection. Ends when `signal` aborts.
 */
export async function follow(path, params, { onEvent, onState, signal }) {
  let lastId = null;
  let delay = 500;
  const wait = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
    });
  while (!signal.aborted) {
    try {
      const sent = token();
      const extra = { Accept: "text/event-stream" };
      if (lastId !== null) extra["Last-Event-ID"] = lastId;
      const answer = await fetch(`${path}${query(params)}`, { headers: headers(extra), signal, cache: "no-store" });
      if (answer.status === 401) {
        const body = await answer.json().catch(() => ({}));
        if ((await askToken(reasonFor(401, body, sent))) === null) {
          setAccess("needed");
          onState("stopped", "The stream needs a token, and none was given.");
          return;
        }
        continue;
      }
      if (answer.status === 404) {
        onState("missing", "This server has no live stream (GET /v1/events/stream answered 404).");
        return;
      }
      if (!answer.ok || !answer.body) {
        const body = await answer.json().catch(() => ({}));
        onState("retrying", body.message || `The stream answered ${answer.status}.`);
      } else {
        setAccess(sent ? "token" : "open");
        onState("open");
        delay = 500;
        lastId = await read(answer.body, lastId, onEvent);
        if (!signal.aborted) onState("retrying", "The stream ended; reconnecting.");
      }
    } catch (error) {
      if (signal.aborted) return;
      onState("retrying", "The connection was lost; reconnecting.");
    }
    await wait(delay);
    delay = Math.min(delay * 2, 10000);
  }
}

/** Parses text/event-stream (the WHATWG rules: fields, comments, blank line ends an event). */
async function read(body, lastId, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let data = [];
  let id = lastId;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return id;
    buffer += value;
    // A CR at the end may be the first half of a CRLF the next chunk completes: kept for then.
    const cut = buffer.endsWith("\r") ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, cut).split(/\r\n|\r|\n/);
    buffer = lines.pop() + buffer.slice(cut);
    for (const line of lines) {
      if (line === "") {
        if (data.length) onEvent(data.join("\n"), id);
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let text = colon < 0 ? "" : line.slice(colon + 1);
      if (text.startsWith(" ")) text = text.slice(1);
      if (field === "data") data.push(text);
      else if (field === "id" && !text.includes("\0")) id = text;
    }
  }
}
