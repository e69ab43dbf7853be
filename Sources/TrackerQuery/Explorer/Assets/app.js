// The Explorer: one page, five views. What the page shows is in its URL (view, range, interval,
// filters), so a link shares a view and back/forward move between them.
import * as api from "./api.js";
import { analysis } from "./analysis.js";
import { failed } from "./failed.js";
import { live } from "./live.js";
import { overview } from "./overview.js";
import { people } from "./people.js";

const views = { overview, live, people, failed, analysis };
const mounted = new Set();
let shown = null;
let controller = null;

/** Changes the URL (null removes a parameter) and shows what it now says. */
export function navigate(changes, { replace = false } = {}) {
  const params = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(changes)) {
    params.delete(key);
    if (value === null || value === undefined || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  }
  const url = `${location.pathname}?${params}`;
  if (url === `${location.pathname}${location.search}`) return render();
  history[replace ? "replaceState" : "pushState"](null, "", url);
  render();
}

function render() {
  const params = new URLSearchParams(location.search);
  const name = views[params.get("view")] ? params.get("view") : "overview";
  for (const link of document.querySelectorAll("nav [data-view]")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  for (const [key, view] of Object.entries(views)) {
    document.getElementById(key).hidden = key !== name;
    if (key !== name && shown === key) view.hide?.();
  }
  controller?.abort();
  controller = new AbortController();
  const panel = document.getElementById(name);
  if (!mounted.has(name)) {
    views[name].mount(panel, { navigate: (changes, options) => navigate({ view: name, ...changes }, options) });
    mounted.add(name);
  }
  const titles = { overview: "Overview", live: "Live", people: "People", failed: "Failed events", analysis: "Analysis" };
  document.title = `${titles[name]} · Explorer · tracker`;
  shown = name;
  views[name].show(params, controller.signal);
}

function showAccess(state) {
  const note = document.getElementById("access");
  note.replaceChildren();
  if (state === "open") {
    note.textContent = "Open API: this server answered without a token.";
  } else if (state === "needed") {
    note.append("This server needs a token. ");
    const ask = document.createElement("button");
    ask.type = "button";
    ask.className = "link";
    ask.textContent = "Enter a token";
    ask.addEventListener("click", render);
    note.append(ask);
  } else if (state === "token") {
    note.append("Signed in with a token. ");
    const forget = document.createElement("button");
    forget.type = "button";
    forget.className = "link";
    forget.textContent = "Forget it";
    forget.addEventListener("click", () => {
      api.forgetToken();
      render();
    });
    note.append(forget);
  }
}

for (const link of document.querySelectorAll("nav [data-view]")) {
  link.addEventListener("click", (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    // A view keeps the range when one is chosen; its own filters start empty.
    const params = new URLSearchParams(location.search);
    const keep = {};
    for (const key of ["range", "from", "to"]) if (params.get(key)) keep[key] = params.get(key);
    const url = `${location.pathname}?${new URLSearchParams({ view: link.dataset.view, ...keep })}`;
    history.pushState(null, "", url);
    render();
    document.getElementById("main").focus();
  });
}
api.onAccess(showAccess);
window.addEventListener("popstate", render);
// Charts are drawn at the width they are shown at: a new width redraws the view's charts.
let width = window.innerWidth;
let resizing = null;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    if (window.innerWidth === width) return;
    width = window.innerWidth;
    views[shown]?.redraw?.();
  }, 200);
});
render();
